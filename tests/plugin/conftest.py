"""Fixtures for the plugin-kit tests: real Claude Code (skipped when absent) and a fresh home to run it in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from plugin_helpers import CLAUDE_VERSION, find_claude


@pytest.fixture(scope="session")
def claude() -> str:
    found = find_claude()
    if found is None:
        pytest.skip(f"Claude Code {CLAUDE_VERSION} is not installed (PATH or .tools/node_modules/.bin)")
    return found


@pytest.fixture
def claude_env(tmp_path: Path) -> dict[str, str]:
    """A fresh home for Claude Code: no user settings, plugins or credentials; no update checks or telemetry."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("CLAUDE_CONFIG_DIR", "THRIFTY_DATA_DIR", "CLAUDE_PLUGIN_DATA", "CLAUDE_PROJECT_DIR")}
    return env | {"HOME": str(home), "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
