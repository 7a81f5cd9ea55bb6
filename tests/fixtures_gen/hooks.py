"""Running thrifty's hooks as Claude Code does: a fresh bare interpreter (no venv), JSON on stdin, this test's dirs."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

SERVER_DIR = Path(__file__).resolve().parents[2] / "server"
HOOK_TIMEOUT_S = 60


def base_python() -> str:
    """The interpreter the hooks run under: python3 without the venv (no pydantic; orjson only if installed)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def hook_command(event_name: str) -> list[str]:
    return [base_python(), "-m", "thrifty.hooks", event_name]


def hook_env(options: Mapping[str, object] | None = None) -> dict[str, str]:
    """This test's environment for a hook, with userConfig options exported as Claude Code exports them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_PLUGIN_OPTION_")}
    env["PYTHONPATH"] = str(SERVER_DIR)
    for key, value in (options or {}).items():
        env[f"CLAUDE_PLUGIN_OPTION_{key.upper()}"] = str(value)
    return env
