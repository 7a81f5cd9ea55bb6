"""`thrifty watch` as a real process: --jsonl updates after a transcript grows, and the live view in a real
terminal (tmux) that starts, redraws and exits cleanly."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fleet_helpers import MAIN_MODEL, cost

from fixtures_gen.synth import Session, realistic_session
from thrifty.paths import transcripts_dir

START_DEADLINE_S = 60.0  # first start imports pydantic and rich and ingests the tree
# A bound on the wait, not a speed claim: the 2 s update target is measured by `benchmarks/fleet.py` as a ratio.
UPDATE_DEADLINE_S = 30.0


def watch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "thrifty", "watch", *args]


def recent_session(seed: int) -> Session:
    start = datetime.now(UTC) - timedelta(minutes=20)
    return realistic_session(transcripts_dir(), seed=seed, turns=8, subagents=1, extras=False, start=start,
                             models=(MAIN_MODEL,))


class Lines:
    """The lines a process prints, read on a thread so waits can have deadlines."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stdout = proc.stdout
        self.reader = threading.Thread(target=lambda: [self.queue.put(line) for line in stdout], daemon=True)
        self.reader.start()

    def wait_for(self, accept: Callable[[dict[str, Any]], bool], deadline_s: float) -> dict[str, Any]:
        end = time.monotonic() + deadline_s
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching line within {deadline_s} s")
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                continue
            data = json.loads(line)
            if accept(data):
                return data


@contextmanager
def running(cmd: list[str]) -> Iterator[Lines]:
    """The command's stdout lines while it runs; stopped (SIGTERM) and its pipes closed afterwards."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=os.environ.copy())
    lines = Lines(proc)
    try:
        yield lines
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)
        lines.reader.join(timeout=30)
        assert proc.stdout is not None
        proc.stdout.close()


def test_watch_jsonl_reports_each_newly_written_turn() -> None:
    session = recent_session(51)
    with running(watch_command("--jsonl")) as lines:
        first = lines.wait_for(lambda d: d["session_id"] == session.session_id, START_DEADLINE_S)
        assert first["cost_usd"] == pytest.approx(cost(session.transcripts))
        assert {a["agent_id"] for a in first["agents"]} == {"main", session.subagents[0].agent_id}
        assert first["budget_state"] == "ok" and first["burn_usd_per_hour"] >= 0
        for round_ in range(2):
            session.main.respond("claude-sonnet-4-6", output=3_000 + round_)
            session.main.save()
            expected = cost(session.transcripts)
            update = lines.wait_for(lambda d, want=expected: d["session_id"] == session.session_id
                                    and abs(float(d["cost_usd"]) - want) < 1e-9, UPDATE_DEADLINE_S)
            assert update["turns"] == first["turns"] + round_ + 1


def test_watch_jsonl_shows_a_session_that_starts_while_it_runs() -> None:
    recent_session(52)
    with running(watch_command("--jsonl")) as lines:
        lines.wait_for(lambda d: True, START_DEADLINE_S)
        newcomer = recent_session(53)
        found = lines.wait_for(lambda d: d["session_id"] == newcomer.session_id, UPDATE_DEADLINE_S)
        assert found["cost_usd"] == pytest.approx(cost(newcomer.transcripts))


def test_watch_rejects_a_bad_window_with_a_clear_message() -> None:
    result = subprocess.run(watch_command("--window", "0"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--window" in result.stderr and "Traceback" not in result.stderr


def test_the_live_view_needs_a_terminal_and_says_so() -> None:
    result = subprocess.run(watch_command(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1 and "--jsonl" in result.stderr and "Traceback" not in result.stderr


TMUX = shutil.which("tmux")


class Pane:
    """A detached tmux session running one command in a shell-less pane that stays after the command exits."""

    def __init__(self, name: str, command: str, tmp: Path) -> None:
        self.name = name
        self.socket = str(tmp / "tmux.sock")
        self.tmux("new-session", "-d", "-s", name, "-x", "170", "-y", "45", command)

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, "-S", self.socket, *args], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, deadline_s: float) -> str:
        end = time.monotonic() + deadline_s
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not on screen within {deadline_s} s:\n{shown}")
            time.sleep(0.05)  # polling the pane's text: tmux has no change notification to wait on

    def close(self) -> None:
        subprocess.run([TMUX or "tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=30)


@contextmanager
def live_watch(tmp_path: Path) -> Iterator[Pane]:
    env = " ".join(f"{k}={v}" for k, v in (("THRIFTY_DATA_DIR", os.environ["THRIFTY_DATA_DIR"]),
                                           ("CLAUDE_CONFIG_DIR", os.environ["CLAUDE_CONFIG_DIR"])))
    argv = " ".join(watch_command())
    # After watch exits, report its status and whether the terminal is back in canonical (line) mode.
    # COLUMNS/LINES can leak in from the test runner and would override the pane's real size. The shell traps
    # SIGINT (a handler, so watch still gets the default) to outlive the Ctrl-C meant for watch and report on it.
    script = (f"trap : INT; env -u COLUMNS -u LINES {env} {argv}; echo watch-exit=$?; "
              "stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; exec cat")
    pane = Pane("thrifty-watch-test", f"sh -c \"{script}\"", tmp_path)
    try:
        yield pane
    finally:
        pane.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.parametrize("quit_keys", [["C-c"], ["q"]])
def test_the_live_view_redraws_when_a_transcript_grows_and_exits_cleanly(tmp_path: Path, quit_keys: list[str]
                                                                         ) -> None:
    session = recent_session(54)
    with live_watch(tmp_path) as pane:
        screen = pane.wait_for(session.session_id[:8], START_DEADLINE_S)
        assert "thrifty watch" in screen and f"${cost(session.transcripts):,.2f}" in screen
        assert pane.tmux("display", "-p", "-t", pane.name, "#{alternate_on}").strip() == "1"
        session.main.respond("claude-opus-4-8", output=40_000)
        session.main.save()
        pane.wait_for(f"${cost(session.transcripts):,.2f}", UPDATE_DEADLINE_S)
        pane.tmux("send-keys", "-t", pane.name, *quit_keys)
        screen = pane.wait_for("icanon", 10)  # printed after the exit status
        assert "watch-exit=0" in screen and "Traceback" not in screen
        assert "\nicanon" in "\n" + screen  # cbreak mode was undone
        assert pane.tmux("display", "-p", "-t", pane.name, "#{alternate_on} #{cursor_flag}").split() == ["0", "1"]
