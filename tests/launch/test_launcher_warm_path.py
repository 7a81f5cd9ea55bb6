"""bin/thrifty's warm path: it execs the venv's python itself only for a plugin root the Python launcher vouched for,
with the venv's interpreter where it was and the vouch newer than the root's pyproject.toml; otherwise the launcher
checks the venv as before and vouches. A `python3` on PATH that records its calls tells which path ran."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from gated_build import link_venv
from launch_helpers import REPO, plugin_env, stamp_for_system_python

from thrifty.launch import environment

BOUND_S = 120
FAKE_EXIT = 97


def _recording_python3(tmp_path: Path) -> tuple[Path, Path]:
    """A PATH entry whose python3 notes each call and fails; the file it writes to."""
    bin_dir, calls = tmp_path / "fake-bin", tmp_path / "python3-calls"
    bin_dir.mkdir()
    fake = bin_dir / "python3"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\nexit {FAKE_EXIT}\n', encoding="utf-8")
    fake.chmod(0o755)
    return bin_dir, calls


def _thrifty(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(REPO / "bin" / "thrifty"), "--version"], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=BOUND_S, check=False)


class Rig:
    """A built venv in a plugin data dir, and the two environments: the real one and one whose python3 records."""

    def __init__(self, project: Path, tmp_path: Path) -> None:
        self.project, self.data = project, tmp_path / "plugin-data"
        link_venv(self.data / "venv")
        (self.data / "venv" / environment.STAMP).write_text(stamp_for_system_python() + "\n", encoding="utf-8")
        self.vouched = self.data / "venv" / environment.VOUCHED
        fake_bin, self.calls = _recording_python3(tmp_path)
        self.real = plugin_env(project, self.data)
        self.faked = dict(self.real, PATH=f"{fake_bin}:{os.environ['PATH']}")

    def warm(self, **env: str) -> bool:
        """Whether a start took the warm path (no python3 called); it must succeed either way but with the fake."""
        self.calls.unlink(missing_ok=True)
        run = _thrifty({**self.faked, **env}, self.project)
        if self.calls.exists():
            assert run.returncode == FAKE_EXIT and "-S -m thrifty.launch --version" in self.calls.read_text()
            return False
        assert run.returncode == 0 and "thrifty" in run.stdout.lower(), run.stderr
        return True

    def launch(self) -> None:
        """A start through the real launcher, which finds the venv current."""
        run = _thrifty(self.real, self.project)
        assert run.returncode == 0, run.stderr


@pytest.fixture
def rig(project: Path, tmp_path: Path) -> Rig:
    return Rig(project, tmp_path)


def test_a_venv_takes_the_warm_path_once_the_launcher_has_vouched_for_this_root(rig: Rig) -> None:
    assert not rig.warm()  # built, but nobody checked its dependencies for this root yet
    rig.launch()
    lines = rig.vouched.read_text(encoding="utf-8").splitlines()
    assert lines == [os.path.realpath(rig.data / "venv" / "bin" / "python"), str(REPO)]
    assert rig.warm()


def test_an_edited_pyproject_sends_the_next_start_through_the_launcher_which_vouches_again(rig: Rig) -> None:
    rig.launch()
    moment = (REPO / "pyproject.toml").stat().st_mtime - 5
    os.utime(rig.vouched, (moment, moment))  # as if pyproject.toml changed after the vouch
    assert not rig.warm()
    rig.launch()
    assert int(rig.vouched.stat().st_mtime) > int((REPO / "pyproject.toml").stat().st_mtime)
    assert rig.warm()


@pytest.mark.parametrize("vouch", ["another root", "another interpreter"])
def test_a_vouch_for_another_root_or_interpreter_is_not_this_one(rig: Rig, vouch: str) -> None:
    rig.launch()
    interpreter, root = rig.vouched.read_text(encoding="utf-8").splitlines()
    lines = [interpreter, "/elsewhere/thrifty"] if vouch == "another root" else ["/usr/bin/python3.99", root]
    rig.vouched.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not rig.warm()


@pytest.mark.parametrize("setting", [{"THRIFTY_DATA_DIR": "relative/data"}, {"CLAUDE_PLUGIN_DATA": ""}])
def test_a_data_dir_the_shell_cannot_resolve_as_python_does_is_left_to_the_launcher(
    rig: Rig, setting: dict[str, str]
) -> None:
    rig.launch()
    assert not rig.warm(**setting)


def test_a_build_removes_the_vouch(rig: Rig, tmp_path: Path) -> None:
    rig.launch()
    (rig.data / "venv" / environment.STAMP).unlink()  # stale: the next start builds (the stand-in build: a fail)
    built = subprocess.run(["python3", "-S", "-m", "thrifty.launch", environment.BUILD_FLAG, str(REPO),
                            str(rig.data)], env=dict(plugin_env(rig.project, rig.data, build="fail"),
                                                  PYTHONPATH=str(REPO / "server")),
                           capture_output=True, text=True, timeout=BOUND_S, check=False)
    assert built.returncode == 1 and not rig.vouched.exists(), built.stderr


def test_the_shell_reads_the_file_the_launcher_writes() -> None:
    assert f"/venv/{environment.VOUCHED}" in (REPO / "bin" / "thrifty").read_text(encoding="utf-8")
