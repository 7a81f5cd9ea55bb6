"""Helpers for the plugin-kit tests: the checkout, a stamped plugin venv that needs no pip, finding Claude Code."""

from __future__ import annotations

import os
from pathlib import Path

from fixtures_gen.claude_code import CLAUDE_VERSION, find_claude, make_stamped_venv

REPO = Path(__file__).resolve().parents[2]
__all__ = ["CLAUDE_VERSION", "REPO", "find_claude", "fresh_home_env", "make_stamped_venv"]


def fresh_home_env(home: Path) -> dict[str, str]:
    """Claude Code in an empty home: no user settings, plugins or credentials; no update checks or telemetry."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("CLAUDE_CONFIG_DIR", "THRIFTY_DATA_DIR", "CLAUDE_PLUGIN_DATA", "CLAUDE_PROJECT_DIR")}
    return env | {"HOME": str(home), "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
