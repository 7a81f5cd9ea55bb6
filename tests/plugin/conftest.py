"""Fixtures for the plugin-kit tests: a fresh home to run real Claude Code in (`claude` is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_helpers import fresh_home_env


@pytest.fixture
def claude_env(tmp_path: Path) -> dict[str, str]:
    return fresh_home_env(tmp_path / "home")
