"""The Stop hook starts the team sync in the background and returns without waiting for it; without thrifty's
venv it fails open (logged, exit 0, silent)."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

import pytest
from team_helpers import Machine

from fixtures_gen.claude_code import make_stamped_venv
from fixtures_gen.synth import Session
from fixtures_gen.team import wait_for_background_job

psycopg = pytest.importorskip("psycopg")


def _stop_event(machine: Machine, session: Session) -> dict[str, object]:
    return {"session_id": session.session_id, "transcript_path": str(session.main.path),
            "cwd": str(machine.project), "hook_event_name": "Stop", "stop_hook_active": False}


def test_the_stop_hook_returns_while_its_sync_is_still_blocked(tmp_path: Path, team_url: str) -> None:
    machine = Machine(tmp_path / "m", "erin", "box-e")
    machine.sessions(range(91, 92), turns=3)
    assert machine.json("sync", "--db", team_url)["turns_added"] > 0  # creates the team tables
    [session] = machine.sessions(range(92, 93), turns=3)
    make_stamped_venv(machine.data)
    with psycopg.connect(team_url) as blocker:
        blocker.execute("LOCK TABLE thrifty_turns IN ACCESS EXCLUSIVE MODE")  # every sync now waits on this
        stop = machine.hook("stop", _stop_event(machine, session), {"team_db": team_url})
        assert stop.returncode == 0 and not stop.stdout and not stop.stderr
        with open(machine.data / "team.lock", "a") as lock, pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the job is running, blocked, after the hook returned
        blocker.rollback()
    status = wait_for_background_job(machine.data)
    assert status["sync"]["ok"] and status["sync"]["turns_added"] > 0, status


def test_without_the_venv_the_stop_hook_fails_open(tmp_path: Path, team_url: str) -> None:
    machine = Machine(tmp_path / "m", "erin", "box-e")
    [session] = machine.sessions(range(93, 94), turns=2)
    stop = machine.hook("stop", _stop_event(machine, session), {"team_db": team_url})
    assert stop.returncode == 0 and not stop.stdout and not stop.stderr
    assert "venv" in (machine.data / "hooks.log").read_text() and "not built yet" in (
        machine.data / "hooks.log").read_text()
    assert machine.json("report", "sessions")["totals"]["turns"] > 0, "the ingest itself still happened"


def test_while_a_job_runs_and_another_waits_a_new_one_leaves_at_once(tmp_path: Path) -> None:
    machine = Machine(tmp_path / "m", "erin", "box-e")
    machine.data.mkdir(parents=True)
    job = [sys.executable, "-m", "thrifty.team.background", str(machine.project)]
    with open(machine.data / "team.lock", "a") as running, open(machine.data / "team.pending", "a") as waiting:
        fcntl.flock(running, fcntl.LOCK_EX)  # a job is sending
        fcntl.flock(waiting, fcntl.LOCK_EX)  # and one waits behind it
        extra = subprocess.run(job, env=machine.env(), capture_output=True, timeout=120, check=False)
        assert extra.returncode == 0 and not extra.stderr  # it returned although the job lock stays held
        assert not (machine.data / "team-status.json").exists()
    alone = subprocess.run(job, env=machine.env(), capture_output=True, timeout=120, check=False)
    assert alone.returncode == 0 and "finished_at" in json.loads((machine.data / "team-status.json").read_text())
