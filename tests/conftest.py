"""Shared fixtures: every test gets its own data dir, Claude config dir and project root under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THRIFTY_DATA_DIR", str(tmp_path / "thrifty-data"))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "claude-config"))
    monkeypatch.delenv("CLAUDE_PLUGIN_DATA", raising=False)
    monkeypatch.delenv("CLAUDE_PROJECT_DIR", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project root, resolved (symlink-free) as the server resolves it."""
    root = (tmp_path / "project").resolve()
    root.mkdir()
    return root


@pytest.fixture(scope="session")
def claude() -> str:
    """Claude Code at the pinned version; the test is skipped when it is not installed."""
    from fixtures_gen.claude_code import CLAUDE_VERSION, find_claude

    found = find_claude()
    if found is None:
        pytest.skip(f"Claude Code {CLAUDE_VERSION} is not installed (PATH or .tools/node_modules/.bin)")
    return found


@pytest.fixture
def projects() -> Path:
    """`$CLAUDE_CONFIG_DIR/projects`, created: where generated transcripts go."""
    from thrifty.paths import transcripts_dir

    root = transcripts_dir()
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
