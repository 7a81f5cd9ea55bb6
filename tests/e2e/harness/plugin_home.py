"""A throwaway HOME with thrifty installed from the checkout the way a user installs it, and Claude Code run in it.

The plugin is installed from a clean copy of the checkout (the files git tracks or would track: a user's clone, not
the 140 MB .venv or the .tools Claude Code would otherwise copy into its plugin cache on every install), with
`claude plugin marketplace add`, `claude plugin install thrifty@thrifty` and, for userConfig,
`claude plugin configure thrifty@thrifty --values-stdin`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures_gen.claude_code import REPO

PLUGIN = "thrifty@thrifty"
DATA_DIR_NAME = "thrifty-thrifty"  # Claude Code's data folder name for thrifty@thrifty
CLI_TIMEOUT_S = 120
# Variables of the test process that would leak into Claude Code, its hooks or the MCP server.
_SCRUBBED = ("CLAUDE_CONFIG_DIR", "THRIFTY_DATA_DIR", "CLAUDE_PLUGIN_DATA", "CLAUDE_PROJECT_DIR", "CLAUDE_PLUGIN_ROOT",
             "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_MODEL",
             "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT",
             "THRIFTY_TEST_BUILD_COMMAND")


def copy_checkout(dest: Path) -> Path:
    """The checkout's working-tree files that git tracks or would track (uncommitted edits included) under `dest`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if not source.is_file():
            continue  # deleted in the working tree
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return dest


class ClaudeCliError(AssertionError):
    pass


@dataclass
class PluginHome:
    """A HOME for Claude Code with its config in `<home>/.claude`; thrifty's data dir is the plugin's own."""

    claude: str
    home: Path

    @property
    def config_dir(self) -> Path:
        return self.home / ".claude"

    @property
    def data_dir(self) -> Path:
        return self.config_dir / "plugins" / "data" / DATA_DIR_NAME

    @property
    def ledger_path(self) -> Path:
        return self.data_dir / "ledger.db"

    @property
    def projects_dir(self) -> Path:
        return self.config_dir / "projects"

    def env(self, base_url: str | None = None, **extra: str) -> dict[str, str]:
        """The environment Claude Code runs in: this HOME, no update checks or telemetry, the scripted API."""
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("CLAUDE_PLUGIN_OPTION_")}
        env |= {"HOME": str(self.home), "CLAUDE_CONFIG_DIR": str(self.config_dir), "DISABLE_AUTOUPDATER": "1",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
        if base_url is not None:
            env |= {"ANTHROPIC_BASE_URL": base_url, "ANTHROPIC_API_KEY": "sk-ant-e2e-scripted"}
        return env | extra

    def cli(self, *args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """`claude ARGS` in this HOME; raises with its output when it fails."""
        done = subprocess.run([self.claude, *args], input=stdin, capture_output=True, text=True, env=self.env(),
                              cwd=cwd or self.home, timeout=CLI_TIMEOUT_S,
                              stdin=None if stdin is not None else subprocess.DEVNULL)
        if done.returncode != 0:
            raise ClaudeCliError(f"claude {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def install(self, source: Path) -> None:
        """`marketplace add` the plugin source and `plugin install thrifty@thrifty`, as a user does."""
        self.home.mkdir(parents=True, exist_ok=True)
        added = self.cli("plugin", "marketplace", "add", str(source))
        if "Successfully added marketplace: thrifty" not in added.stdout:
            raise ClaudeCliError(f"marketplace add said: {added.stdout}{added.stderr}")
        installed = self.cli("plugin", "install", PLUGIN)
        if f"Successfully installed plugin: {PLUGIN}" not in installed.stdout:
            raise ClaudeCliError(f"plugin install said: {installed.stdout}{installed.stderr}")

    def clone(self, home: Path) -> PluginHome:
        """A copy of this home at `home`, as if the same commands had been run there: its settings and plugin
        records name `home` (the plugin cache, a copy of the plugin's own files, is left as copied)."""
        shutil.copytree(self.home, home, symlinks=True)
        old, new = str(self.home), str(home)
        for path in home.rglob("*.json"):
            if "cache" in path.relative_to(home).parts:
                continue
            text = path.read_text(encoding="utf-8")
            if old in text:
                path.write_text(text.replace(old, new), encoding="utf-8")
        return PluginHome(self.claude, home)

    def configure(self, **options: Any) -> None:
        """Set userConfig values through `claude plugin configure thrifty@thrifty --values-stdin` (which takes a
        JSON object of strings: numbers are sent as their text, as a user types them)."""
        values = {key: value if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)
                  for key, value in options.items()}
        self.cli("plugin", "configure", PLUGIN, "--values-stdin", stdin=json.dumps(values))

    def plugin_options(self) -> dict[str, Any]:
        settings = json.loads((self.config_dir / "settings.json").read_text(encoding="utf-8"))
        return dict(settings.get("pluginConfigs", {}).get(PLUGIN, {}).get("options", {}))

    def link_venv(self, venv: Path) -> None:
        """Use an already built, stamped plugin venv (shared by the test session) instead of building one."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "venv").symlink_to(venv, target_is_directory=True)
