"""The Stop/SubagentStop hooks as Claude Code runs them: a plain python3 process, the event as JSON on stdin."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ledger_helpers import HOOK_TIMEOUT_S, run_hook, start_hook

from fixtures_gen.transcripts import Session, expected_tokens, realistic_session
from thrifty.paths import data_dir, ledger_path


def session_tokens(open_ledger: Callable[[], sqlite3.Connection], session_id: str) -> dict[str, int]:
    with open_ledger() as conn:
        row = conn.execute(
            """SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
                      COALESCE(SUM(cache_write_5m_tokens + cache_write_1h_tokens), 0),
                      COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(cache_write_5m_tokens), 0),
                      COALESCE(SUM(cache_write_1h_tokens), 0)
               FROM turns WHERE session_id = ?""", (session_id,)).fetchone()
    keys = ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cache_write_5m_tokens",
            "cache_write_1h_tokens")
    return dict(zip(keys, row, strict=True))


def stop_event(session: Session) -> dict[str, object]:
    return {"session_id": session.session_id, "transcript_path": str(session.main.path), "cwd": "/home/dev",
            "hook_event_name": "Stop", "stop_hook_active": False, "last_assistant_message": "done"}


def hooks_log() -> str:
    log = data_dir() / "hooks.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_stop_hook_records_the_session_and_its_subagents_and_prints_nothing(
    projects: Path, ledger: Callable[[], sqlite3.Connection]
) -> None:
    session = realistic_session(projects, seed=21, turns=10, subagents=2)
    result = run_hook("stop", stop_event(session))
    assert (result.returncode, result.stdout, hooks_log()) == (0, b"", "")
    assert session_tokens(ledger, session.session_id) == expected_tokens(session.responses())


def test_subagent_stop_records_the_agent_transcript(projects: Path, ledger: Callable[[], sqlite3.Connection]) -> None:
    session = Session(projects, "/home/dev/app", seed=22)
    session.main.respond("claude-opus-4-8", tools=("Task",))
    sub = session.subagent("Explore", agent_id="abc123")
    sub.respond("claude-haiku-4-5-20251001", output=321)
    session.save()
    event = {**stop_event(session), "hook_event_name": "SubagentStop", "agent_id": "abc123",
             "agent_type": "Explore", "agent_transcript_path": str(sub.path)}
    assert run_hook("subagent-stop", event).returncode == 0
    with ledger() as conn:
        rows = conn.execute("SELECT t.agent_id, a.agent_type, t.output_tokens FROM turns t "
                            "JOIN agents a USING (session_id, agent_id)").fetchall()
    assert rows == [("abc123", "Explore", 321)]


def test_session_end_records_a_last_turn_written_after_the_stop_hook(
    projects: Path, ledger: Callable[[], sqlite3.Connection]
) -> None:
    session = Session(projects, "/home/dev/app", seed=23)
    session.main.respond("claude-sonnet-4-6", output=100)
    session.save()
    assert run_hook("stop", stop_event(session)).returncode == 0
    session.main.respond("claude-sonnet-4-6", output=250)  # flushed only after Stop ran
    session.save()
    event = {**stop_event(session), "hook_event_name": "SessionEnd", "reason": "prompt_input_exit"}
    result = run_hook("session-end", event)
    assert (result.returncode, result.stdout) == (0, b"")
    assert session_tokens(ledger, session.session_id)["output_tokens"] == 350


def test_each_run_adds_only_the_new_turns(projects: Path, ledger: Callable[[], sqlite3.Connection]) -> None:
    session = Session(projects, "/home/dev/app", seed=23)
    first = session.main.respond("claude-sonnet-4-6")
    session.save()
    assert run_hook("stop", stop_event(session)).returncode == 0
    second = session.main.respond("claude-sonnet-4-6")
    session.save()
    assert run_hook("stop", stop_event(session)).returncode == 0
    assert run_hook("stop", stop_event(session)).returncode == 0
    assert session_tokens(ledger, session.session_id) == expected_tokens([first, second])


def test_bad_events_never_fail_the_hook(projects: Path, tmp_path: Path) -> None:
    events: list[dict[str, object] | str] = [
        "this is not json",
        "[1, 2, 3]",
        {"session_id": "x", "transcript_path": str(tmp_path / "missing.jsonl")},
        {"session_id": "x", "transcript_path": str(tmp_path)},
        {"session_id": "x", "transcript_path": 42},
        {},
    ]
    for event in events:
        result = run_hook("stop", event)
        assert (result.returncode, result.stdout) == (0, b""), event
    assert "JSONDecodeError" in hooks_log()


def test_a_corrupt_ledger_makes_the_hook_log_and_exit_0(projects: Path) -> None:
    session = realistic_session(projects, seed=24, turns=3, subagents=0, extras=False)
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    result = run_hook("stop", stop_event(session))
    assert (result.returncode, result.stdout) == (0, b"")
    assert "LedgerError" in hooks_log()


def test_many_hooks_at_once_on_overlapping_sessions_all_exit_0_and_lose_nothing(
    projects: Path, ledger: Callable[[], sqlite3.Connection]
) -> None:
    sessions = [realistic_session(projects, seed=30 + n, turns=15, subagents=2) for n in range(3)]
    for round_ in range(2):  # the first round also races to create and migrate the ledger
        procs = []
        for n in range(12):
            session = sessions[n % len(sessions)]
            if n % 4 == 3 and session.subagents:
                event = {**stop_event(session), "hook_event_name": "SubagentStop",
                         "agent_transcript_path": str(session.subagents[0].path)}
                procs.append(start_hook("subagent-stop", event))
            else:
                procs.append(start_hook("stop", stop_event(session)))
        outputs = [proc.communicate(timeout=HOOK_TIMEOUT_S) for proc in procs]
        assert [proc.returncode for proc in procs] == [0] * 12
        assert [stdout for stdout, _ in outputs] == [b""] * 12
        assert hooks_log() == ""
        for session in sessions:
            assert session_tokens(ledger, session.session_id) == expected_tokens(session.responses())
        if round_ == 0:
            for session in sessions:  # more turns arrive before the next wave of hooks
                response = session.main.respond("claude-sonnet-4-6", tools=("Read",))
                session.main.tool_results(response)
                session.subagents[0].respond("claude-haiku-4-5-20251001")
                session.save()


def test_a_transcript_path_that_is_a_fifo_or_a_directory_does_not_block_the_hook(projects: Path) -> None:
    fifo = projects / "proj" / "sess.jsonl"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    (projects / "proj" / "dir.jsonl").mkdir()
    for event_name in ("stop", "session-end", "subagent-stop"):
        for path in (fifo, projects / "proj" / "dir.jsonl"):
            event = {"session_id": "sess", "transcript_path": str(path), "agent_transcript_path": str(path),
                     "hook_event_name": "Stop"}
            result = run_hook(event_name, event)  # bounded by HOOK_TIMEOUT_S: a blocked open would fail here
            assert (result.returncode, result.stdout) == (0, b"")
