"""Fixtures for the real-client suite: Claude Code 2.1.330 (skipped when absent), the plugin installed from the
checkout into a throwaway HOME per test, and one warm plugin venv shared by the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import E2E, PluginHome, copy_checkout

from fixtures_gen.claude_code import CLAUDE_VERSION, find_claude, make_stamped_venv


@pytest.fixture(scope="session")
def claude() -> str:
    found = find_claude()
    if found is None:
        pytest.skip(f"Claude Code {CLAUDE_VERSION} is not installed (PATH or .tools/node_modules/.bin)")
    return found


@pytest.fixture(scope="session")
def plugin_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout as a user's clone has it (tracked files, uncommitted edits included), to install from."""
    return copy_checkout(tmp_path_factory.mktemp("plugin-source"))


@pytest.fixture(scope="session")
def warm_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugin venv built from links to the test venv and stamped current: shared, and no pip run."""
    return make_stamped_venv(tmp_path_factory.mktemp("plugin-venv"))


@pytest.fixture
def plugin_home(claude: str, plugin_source: Path, warm_venv: Path, tmp_path: Path) -> PluginHome:
    """A fresh HOME with thrifty installed (marketplace add + install) and the shared venv in its data dir."""
    home = PluginHome(claude, tmp_path / "home")
    home.install(plugin_source)
    home.link_venv(warm_venv)
    return home


@pytest.fixture
def e2e(plugin_home: PluginHome, project: Path, tmp_path: Path) -> Iterator[E2E]:
    """The rig of one test: serve a script, run `claude -p` in `project`, read what it left; servers stopped after."""
    rig = E2E(plugin_home, project, tmp_path / "logs")
    try:
        yield rig
    finally:
        rig.close()
