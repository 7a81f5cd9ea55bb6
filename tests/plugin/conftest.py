"""Fixtures for the plugin-kit tests: real Claude Code (skipped when absent) and a fresh home to run it in."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_helpers import CLAUDE_VERSION, find_claude, fresh_home_env


@pytest.fixture(scope="session")
def claude() -> str:
    found = find_claude()
    if found is None:
        pytest.skip(f"Claude Code {CLAUDE_VERSION} is not installed (PATH or .tools/node_modules/.bin)")
    return found


@pytest.fixture
def claude_env(tmp_path: Path) -> dict[str, str]:
    return fresh_home_env(tmp_path / "home")
