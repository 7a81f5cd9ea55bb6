"""Where thrifty's state lives and where Claude Code keeps its own. Standard library only (hooks import it)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PLUGIN_ID = "thrifty-thrifty"  # plugin "thrifty" from marketplace "thrifty", as Claude Code names its data folder


def claude_config_dir(env: Mapping[str, str] = os.environ) -> Path:
    """`$CLAUDE_CONFIG_DIR`, else ~/.claude."""
    configured = env.get("CLAUDE_CONFIG_DIR", "").split(",")[0].strip()
    return Path(configured).expanduser() if configured else Path.home() / ".claude"


def transcripts_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The tree of Claude Code transcripts: `<config>/projects`."""
    return claude_config_dir(env) / "projects"


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """One data directory shared by the hooks, the server and the CLI.

    `THRIFTY_DATA_DIR`, else `CLAUDE_PLUGIN_DATA` (set for hooks and the MCP server), else the folder Claude Code
    gives this plugin under its config dir, which is where `CLAUDE_PLUGIN_DATA` points when the plugin runs.
    """
    for name in ("THRIFTY_DATA_DIR", "CLAUDE_PLUGIN_DATA"):
        value = env.get(name, "").strip()
        if value:
            return Path(value).expanduser()
    return claude_config_dir(env) / "plugins" / "data" / PLUGIN_ID


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Replace `path` with `text` in one step (a reader sees the old file or the new one, never a part), keeping its
    permissions (a new file gets the umask's, not mkstemp's 0600) unless `mode` is given.

    Raises:
        OSError: the directory cannot be written.
    """
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mode is None:
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def ledger_path(env: Mapping[str, str] = os.environ) -> Path:
    return data_dir(env) / "ledger.db"


def project_root(env: Mapping[str, str] = os.environ) -> Path:
    """`CLAUDE_PROJECT_DIR` (set by Claude Code for stdio servers), else the working directory, resolved."""
    value = env.get("CLAUDE_PROJECT_DIR", "").strip()
    return Path(value).expanduser().resolve() if value else Path.cwd().resolve()
