"""bin/thrifty's warm path: with a built venv newer than the plugin's pyproject.toml it execs the venv's python
itself; otherwise the Python launcher checks the venv and, finding it current, vouches for it so the next start
takes the warm path. A `python3` on PATH that records its calls tells which path ran."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from gated_build import link_venv
from launch_helpers import REPO, plugin_env, stamp_for_system_python

from thrifty.launch import environment

BOUND_S = 120


def _recording_python3(tmp_path: Path) -> tuple[Path, Path]:
    """A PATH entry whose python3 notes each call and fails; the file it writes to."""
    bin_dir, calls = tmp_path / "fake-bin", tmp_path / "python3-calls"
    bin_dir.mkdir()
    fake = bin_dir / "python3"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\nexit 97\n', encoding="utf-8")
    fake.chmod(0o755)
    return bin_dir, calls


def _built_venv(data: Path) -> Path:
    link_venv(data / "venv")
    stamp = data / "venv" / environment.STAMP
    stamp.write_text(stamp_for_system_python() + "\n", encoding="utf-8")
    return stamp


def _thrifty(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(REPO / "bin" / "thrifty"), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=BOUND_S, check=False)


def _age(path: Path, seconds_before: Path) -> None:
    """Set `path`'s mtime a few seconds before `seconds_before`'s (as a plugin update leaves an existing venv)."""
    moment = seconds_before.stat().st_mtime - 5
    os.utime(path, (moment, moment))


def test_a_built_venv_newer_than_the_plugin_runs_without_a_second_interpreter(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "plugin-data"
    _built_venv(data)
    fake_bin, calls = _recording_python3(tmp_path)
    env = dict(plugin_env(project, data), PATH=f"{fake_bin}:{os.environ['PATH']}")
    run = _thrifty(["--version"], env, project)
    assert run.returncode == 0, run.stderr
    assert "thrifty" in run.stdout.lower()
    assert not calls.exists(), calls.read_text(encoding="utf-8")


def test_a_venv_older_than_the_plugin_goes_through_the_launcher_which_vouches_for_it(
    project: Path, tmp_path: Path
) -> None:
    data = tmp_path / "plugin-data"
    stamp = _built_venv(data)
    _age(stamp, REPO / "pyproject.toml")
    fake_bin, calls = _recording_python3(tmp_path)
    faked = dict(plugin_env(project, data), PATH=f"{fake_bin}:{os.environ['PATH']}")
    assert _thrifty(["--version"], faked, project).returncode == 97  # the launcher's python3 was called
    assert "-S -m thrifty.launch --version" in calls.read_text(encoding="utf-8")

    real = _thrifty(["--version"], plugin_env(project, data), project)  # the real launcher: the venv is current
    assert real.returncode == 0, real.stderr
    assert int(stamp.stat().st_mtime) > int((REPO / "pyproject.toml").stat().st_mtime)
    calls.unlink()
    assert _thrifty(["--version"], faked, project).returncode == 0 and not calls.exists()


@pytest.mark.parametrize("setting", [{"THRIFTY_DATA_DIR": "relative/data"}, {"CLAUDE_PLUGIN_DATA": ""}])
def test_a_data_dir_the_shell_cannot_resolve_as_python_does_is_left_to_the_launcher(
    project: Path, tmp_path: Path, setting: dict[str, str]
) -> None:
    data = tmp_path / "plugin-data"
    _built_venv(data)
    fake_bin, calls = _recording_python3(tmp_path)
    env = dict(plugin_env(project, data), PATH=f"{fake_bin}:{os.environ['PATH']}", **setting)
    assert _thrifty(["--version"], env, project).returncode == 97 and calls.exists()


def test_the_shell_checks_the_stamp_the_build_writes() -> None:
    assert f'/venv/{environment.STAMP}" -nt' in (REPO / "bin" / "thrifty").read_text(encoding="utf-8")
