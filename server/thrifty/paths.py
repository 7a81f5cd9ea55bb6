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


def ledger_path(env: Mapping[str, str] = os.environ) -> Path:
    return data_dir(env) / "ledger.db"


def project_root(env: Mapping[str, str] = os.environ) -> Path:
    """`CLAUDE_PROJECT_DIR` (set by Claude Code for stdio servers), else the working directory, resolved."""
    value = env.get("CLAUDE_PROJECT_DIR", "").strip()
    return Path(value).expanduser().resolve() if value else Path.cwd().resolve()
