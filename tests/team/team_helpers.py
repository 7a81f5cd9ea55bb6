"""Team test helpers: machines as separate data and config directories, `thrifty` commands as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fixtures_gen.hooks import HOOK_TIMEOUT_S, SERVER_DIR, hook_command
from fixtures_gen.synth import Session, realistic_session

COMMAND_TIMEOUT_S = 180


def start_today() -> datetime:
    """A start for generated turns that keeps them inside the local day (team budgets are daily)."""
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight + timedelta(minutes=1), now - timedelta(minutes=45)).astimezone(UTC)


class Machine:
    """One machine of the team: its own data directory (ledger), Claude config (transcripts), user and host."""

    def __init__(self, root: Path, user: str, host: str) -> None:
        self.root, self.user, self.host = root, user, host
        self.data = root / "data"
        self.config = root / "claude"
        self.project = root / "project"
        self.project.mkdir(parents=True, exist_ok=True)

    def env(self, options: Mapping[str, object] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_PLUGIN_OPTION_", "THRIFTY_"))}
        env.update(THRIFTY_DATA_DIR=str(self.data), CLAUDE_CONFIG_DIR=str(self.config), THRIFTY_USER=self.user,
                   THRIFTY_HOST=self.host, PYTHONPATH=str(SERVER_DIR))
        env.pop("CLAUDE_PROJECT_DIR", None)
        for key, value in (options or {}).items():
            env[f"CLAUDE_PLUGIN_OPTION_{key.upper()}"] = str(value)
        return env

    def sessions(self, seeds: range, *, turns: int = 10, start: datetime | None = None) -> list[Session]:
        return [realistic_session(self.config / "projects", seed=seed, turns=turns, start=start or start_today(),
                                  subagents=1) for seed in seeds]

    def thrifty(self, *args: str, options: Mapping[str, object] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "thrifty", *args], env=self.env(options), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.project)

    def run(self, *args: str, options: Mapping[str, object] | None = None) -> subprocess.CompletedProcess[str]:
        proc = self.thrifty(*args, options=options)
        out, err = proc.communicate(timeout=COMMAND_TIMEOUT_S)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def json(self, *args: str, options: Mapping[str, object] | None = None) -> dict[str, Any]:
        result = self.run(*args, "--json", options=options)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def hook(self, event_name: str, event: dict[str, Any], options: Mapping[str, object] | None = None
             ) -> subprocess.CompletedProcess[str]:
        """A hook as Claude Code runs it: the bare interpreter, the event on stdin."""
        return subprocess.run(hook_command(event_name), input=json.dumps(event), capture_output=True, text=True,
                              env=self.env(options), timeout=HOOK_TIMEOUT_S, check=False, cwd=self.project)


def finished(result: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = result.communicate(timeout=COMMAND_TIMEOUT_S)
    return result.returncode, out, err


def token_totals(totals: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return (totals["input_tokens"], totals["output_tokens"], totals["cache_creation_tokens"],
            totals["cache_read_tokens"], totals["turns"])
