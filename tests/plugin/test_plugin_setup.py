"""`thrifty setup`: where the plugin's venv is and whether it is current, built only when missing or stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from plugin_helpers import REPO

from fixtures_gen.hooks import hook_command
from fixtures_gen.locks import is_locked
from thrifty.commands.setup import setup
from thrifty.launch import environment
from thrifty.paths import data_dir


def _stamp_current(data: Path) -> Path:
    """A venv that passes the launcher's check: an interpreter where one is expected and the current stamp."""
    venv_dir = data / "venv"
    (venv_dir / "bin").mkdir(parents=True)
    (venv_dir / "bin" / "python").symlink_to(Path(sys.executable))
    fingerprint = environment.fingerprint(environment.dependencies(REPO))
    (venv_dir / environment.STAMP).write_text(fingerprint + "\n", encoding="utf-8")
    return venv_dir


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(setup, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_check_reports_a_missing_venv_and_exits_1_without_building() -> None:
    code, output = _run("--check")
    assert code == 1
    assert f"{data_dir() / 'venv'} (not built yet" in output
    assert not (data_dir() / "venv").exists()


def test_check_reports_a_current_venv_with_its_paths() -> None:
    venv_dir = _stamp_current(data_dir())
    code, output = _run("--check", "--json")
    assert code == 0
    status = json.loads(output)
    assert status["state"] == "current"
    assert status["venv"] == str(venv_dir)
    assert status["log"] == str(data_dir() / "setup.log")
    assert status["built_at"] is not None
    assert status["dependencies"] == environment.dependencies(REPO)


def test_a_changed_dependency_list_makes_the_venv_stale() -> None:
    venv_dir = _stamp_current(data_dir())
    (venv_dir / environment.STAMP).write_text("fingerprint-of-an-older-dependency-list\n", encoding="utf-8")
    code, output = _run("--check")
    assert code == 1
    assert "out of date" in output


def test_setup_on_a_current_venv_builds_nothing() -> None:
    venv_dir = _stamp_current(data_dir())
    before = (venv_dir / environment.STAMP).stat().st_mtime_ns
    code, output = _run()
    assert code == 0
    assert "(up to date)" in output
    assert (venv_dir / environment.STAMP).stat().st_mtime_ns == before
    assert not (data_dir() / "setup.log").exists()  # no install ran


def test_a_data_dir_that_cannot_be_created_is_explained_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("THRIFTY_DATA_DIR", str(blocker / "data"))
    result = CliRunner().invoke(setup, [])
    assert result.exit_code == 1
    assert "could not prepare the environment" in result.output
    assert "Traceback" not in result.output


def test_check_and_rebuild_together_are_refused() -> None:
    result = CliRunner().invoke(setup, ["--check", "--rebuild"])
    assert result.exit_code == 2
    assert "--check builds nothing" in result.output


@pytest.mark.slow  # builds a real venv with pip (30 s or more, needs the package index)
def test_setup_through_the_launcher_builds_a_working_venv_from_python3_alone(tmp_path: Path) -> None:
    data = tmp_path / "plugin-data"
    env = dict(os.environ, THRIFTY_DATA_DIR=str(data))
    run = subprocess.run(["sh", str(REPO / "bin" / "thrifty"), "setup", "--json"], capture_output=True, text=True,
                         env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    status = json.loads(run.stdout)
    assert status["state"] == "current"  # the launcher built it before running `setup`
    probe = subprocess.run([status["python"], "-c", "import mcp, pydantic, click, rich"], timeout=120)
    assert probe.returncode == 0
    again = subprocess.run(["sh", str(REPO / "bin" / "thrifty"), "setup", "--check"], capture_output=True,
                           text=True, env=env, timeout=120)
    assert again.returncode == 0 and "(up to date)" in again.stdout


def test_the_build_process_reports_an_unusable_data_dir_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    argv = [sys.executable, "-m", "thrifty.launch", environment.BUILD_FLAG, str(REPO), str(blocker)]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=str(REPO / "server")))
    assert run.returncode == 1
    assert run.stderr.startswith("thrifty: building its environment failed (") and run.stderr.count("\n") == 1
    assert run.stdout == ""  # the launcher's stdout is the MCP wire


def test_setup_check_through_the_launcher_reports_a_missing_venv_and_builds_nothing(tmp_path: Path) -> None:
    data = tmp_path / "plugin-data"
    run = subprocess.run(["sh", str(REPO / "bin" / "thrifty"), "setup", "--check"], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, THRIFTY_DATA_DIR=str(data)))
    assert run.returncode == 1
    assert "missing or stale; run `thrifty setup` to build it" in run.stderr
    assert not (data / "venv").exists() and not (data / "setup.log").exists()


def test_a_failed_build_surfaces_as_an_error_naming_the_venv(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(OSError, match=f"building {blocker / 'venv'} failed"):
        environment.ensure_venv(REPO, blocker)


@pytest.mark.slow  # builds a real venv with pip (30 s or more, needs the package index)
def test_a_build_outlives_a_launcher_killed_at_the_start_limit_and_is_not_redone(tmp_path: Path) -> None:
    data = tmp_path / "plugin-data"
    env = dict(os.environ, THRIFTY_DATA_DIR=str(data))
    launcher = subprocess.Popen(["sh", str(REPO / "bin" / "thrifty"), "--version"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = data / "venv.lock"
    deadline = time.monotonic() + 120
    while not is_locked(lock):  # the build has started once its lock is taken
        assert time.monotonic() < deadline and launcher.poll() is None
        time.sleep(0.2)
    launcher.terminate()  # what Claude Code does to an MCP server still not up after 30 s
    launcher.wait(timeout=30)
    assert is_locked(lock), "the build must keep its lock after the launcher is gone"
    hook = subprocess.run(hook_command("session-start", "python3"), input="{}", text=True, timeout=900,
                          env=dict(env, PYTHONPATH=str(REPO / "server")))
    assert hook.returncode == 0
    assert (data / "venv" / environment.STAMP).exists()
    assert (data / "setup.log").read_text(encoding="utf-8").count("building") == 1
