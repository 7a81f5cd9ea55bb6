"""Fixtures for the real-client suite: the plugin installed from the checkout into a throwaway HOME per test, and
one warm plugin venv shared by the session (`claude`, which skips without Claude Code, is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import E2E, PluginHome, copy_checkout

from fixtures_gen.claude_code import make_stamped_venv


@pytest.fixture(scope="session")
def plugin_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout as a user's clone has it (tracked files, uncommitted edits included), to install from."""
    return copy_checkout(tmp_path_factory.mktemp("plugin-source"))


@pytest.fixture(scope="session")
def warm_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugin venv built from links to the test venv and stamped current: shared, and no pip run."""
    return make_stamped_venv(tmp_path_factory.mktemp("plugin-venv"))


@pytest.fixture(scope="session")
def installed_home(claude: str, plugin_source: Path, tmp_path_factory: pytest.TempPathFactory) -> PluginHome:
    """A HOME where `claude plugin marketplace add` + `claude plugin install thrifty@thrifty` ran once."""
    home = PluginHome(claude, tmp_path_factory.mktemp("installed") / "home")
    home.install(plugin_source)
    return home


@pytest.fixture
def plugin_home(installed_home: PluginHome, warm_venv: Path, tmp_path: Path) -> PluginHome:
    """A fresh HOME with thrifty installed (a copy of the installed one) and the shared venv in its data dir."""
    home = installed_home.clone(tmp_path / "home")
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
    assert not rig.hook_errors(), f"thrifty's hooks logged errors:\n{rig.hook_errors()}"
    rig.check_ledgers()


from fixtures_gen.team import pg_server, team_url  # noqa: E402, F401 - the team scenario's PostgreSQL
