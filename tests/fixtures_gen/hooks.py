"""Running thrifty's hooks as Claude Code does: a fresh bare interpreter (no venv), JSON on stdin, this test's dirs."""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVER_DIR = REPO / "server"
HOOK_TIMEOUT_S = 60


def base_python() -> str:
    """The interpreter the hooks run under: python3 without the venv (no pydantic; orjson only if installed)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def hook_command(event_name: str, python: str | None = None) -> list[str]:
    """The command hooks/hooks.json gives for `event_name` (its interpreter flags included), with `python` (default:
    `base_python()`) for `python3` and the environment assignments left to `hook_env`."""
    hooks = json.loads((REPO / "hooks" / "hooks.json").read_text(encoding="utf-8"))["hooks"]
    for groups in hooks.values():
        for handler in (h for group in groups for h in group["hooks"]):
            words = [w for w in shlex.split(handler["command"]) if "=" not in w]
            if words[-1] == event_name:
                return [python or base_python(), *words[1:]]
    raise KeyError(f"hooks/hooks.json runs no hook for {event_name!r}")


def statusline_command(python: str | None = None) -> list[str]:
    """The command bin/thrifty execs for `thrifty statusline` (its interpreter flags included), with `python`
    (default: `base_python()`) for `python3`."""
    for line in (REPO / "bin" / "thrifty").read_text(encoding="utf-8").splitlines():
        words = [w for w in shlex.split(line, comments=True) if "=" not in w]
        if words[:2] == ["exec", "python3"] and "thrifty.statusline" in words:
            return [python or base_python(), *words[2:]]
    raise KeyError("bin/thrifty runs no status line module")


def hook_env(options: Mapping[str, object] | None = None) -> dict[str, str]:
    """This test's environment for a hook, with userConfig options exported as Claude Code exports them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_PLUGIN_OPTION_")}
    env["PYTHONPATH"] = str(SERVER_DIR)
    for key, value in (options or {}).items():
        env[f"CLAUDE_PLUGIN_OPTION_{key.upper()}"] = str(value)
    return env
