"""Incremental, de-duplicated ingestion of generated transcripts into a real SQLite ledger."""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from fixtures_gen.transcripts import Response, Session, Transcript, append_line, expected_tokens, realistic_session
from thrifty.ledger import queries
from thrifty.ledger.db import connect
from thrifty.ledger.ingest import TranscriptsError, describe, ingest_files, ingest_tree
from thrifty.paths import ledger_path

TOKEN_KEYS = ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "cache_write_5m_tokens",
              "cache_write_1h_tokens")


@pytest.fixture
def conn() -> sqlite3.Connection:
    return connect(ledger_path())


def tokens_of(usage: queries.Usage) -> dict[str, int]:
    return {key: getattr(usage, key) for key in TOKEN_KEYS}


def test_a_generated_history_is_counted_exactly_once_per_response_by_agent(
    conn: sqlite3.Connection, projects: Path
) -> None:
    sessions = [realistic_session(projects, seed=seed, turns=12) for seed in (1, 2, 3)]
    ingest_tree(conn, projects)
    by_agent = queries.agent_totals(conn)
    got: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(TOKEN_KEYS, 0))
    for (session_id, agent_id, _model), usage in by_agent.items():
        for key, value in tokens_of(usage).items():
            got[(str(session_id), str(agent_id))][key] += value
    want = {}
    for session in sessions:
        responses: dict[str, list[Response]] = defaultdict(list)
        for r in session.responses():
            responses[str(r.agent_id)].append(r)
        for agent_id, items in responses.items():
            want[(session.session_id, agent_id)] = expected_tokens(items)
    assert dict(got) == want


def test_streaming_copies_count_once_with_the_final_output(conn: sqlite3.Connection, projects: Path) -> None:
    session = Session(projects, "/home/dev/app", seed=4)
    response = session.main.respond("claude-sonnet-4-6", output=500, tools=("Read", "Grep"))
    session.main.streaming_duplicate(response, output=3)
    session.save()
    ingest_tree(conn, projects)
    usage = queries.session_totals(conn, session.session_id)
    assert (usage.turns, usage.output_tokens) == (1, 500)


def test_a_partial_copy_ingested_first_is_replaced_by_the_final_one_in_a_later_run(
    conn: sqlite3.Connection, projects: Path
) -> None:
    session = Session(projects, "/home/dev/app", seed=5)
    response = session.main.respond("claude-sonnet-4-6", output=400, tools=("Read",))
    partial, final = session.main._pending  # the text record (partial output) and the tool_use record (final)
    session.main._pending = [partial]
    session.main.save()
    ingest_tree(conn, projects)
    assert queries.session_totals(conn, session.session_id).output_tokens == 1
    append_line(session.main.path, final)
    ingest_tree(conn, projects)
    usage = queries.session_totals(conn, session.session_id)
    assert (usage.turns, usage.output_tokens, usage.input_tokens) == (1, 400, response.input_tokens)


@pytest.mark.parametrize("replay_first", [False, True])
def test_a_sidechain_replay_is_not_counted_twice_even_when_bigger(
    conn: sqlite3.Connection, projects: Path, replay_first: bool
) -> None:
    session = Session(projects, "/home/dev/app", seed=6)
    parent = session.main.respond("claude-opus-4-8", output=300)
    side = session.side_question()
    replay = side.replay(parent)
    own = side.respond("claude-haiku-4-5-20251001", output=40)
    if replay_first:
        side.save()
        ingest_files(conn, [side.path], projects)
    session.save()
    ingest_tree(conn, projects)
    usage = queries.session_totals(conn, session.session_id)
    assert sum(replay.tokens) > sum(parent.tokens)
    assert tokens_of(usage) == expected_tokens([parent, own])
    kept = conn.execute("SELECT request_id, is_sidechain FROM turns WHERE message_id = ?",
                        (parent.message_id,)).fetchall()
    assert kept == [(parent.request_id, 0)]


def test_an_unfinished_last_line_waits_and_counts_once_it_is_finished(
    conn: sqlite3.Connection, projects: Path
) -> None:
    session = Session(projects, "/home/dev/app", seed=7)
    first = session.main.respond("claude-sonnet-4-6", output=100)
    session.main.save()
    second = session.main.respond("claude-sonnet-4-6", output=200)
    rest = session.main.save_unfinished()
    ingest_tree(conn, projects)
    assert queries.session_totals(conn, session.session_id).output_tokens == first.output_tokens
    append_line(session.main.path, rest, newline=False)
    ingest_tree(conn, projects)
    assert queries.session_totals(conn, session.session_id).output_tokens == 100 + second.output_tokens


def test_a_finished_last_line_without_its_newline_counts_and_is_not_read_twice(
    conn: sqlite3.Connection, projects: Path
) -> None:
    session = Session(projects, "/home/dev/app", seed=8)
    session.main.respond("claude-sonnet-4-6", output=100)
    (record,) = session.main._pending
    session.main._pending.clear()
    append_line(session.main.path, record, newline=False)
    ingest_tree(conn, projects)
    append_line(session.main.path, "")
    ingest_tree(conn, projects)
    usage = queries.session_totals(conn, session.session_id)
    assert (usage.turns, usage.output_tokens) == (1, 100)


def test_ingesting_again_reads_nothing_and_changes_nothing(conn: sqlite3.Connection, projects: Path) -> None:
    realistic_session(projects, seed=9, turns=8)
    first = ingest_tree(conn, projects)
    before = conn.execute("SELECT COUNT(*), SUM(output_tokens) FROM turns").fetchone()
    second = ingest_tree(conn, projects)
    assert first.bytes_read > 0 and (second.files_read, second.bytes_read) == (0, 0)
    assert conn.execute("SELECT COUNT(*), SUM(output_tokens) FROM turns").fetchone() == before


def test_malformed_lines_are_skipped_and_counted_per_file(conn: sqlite3.Connection, projects: Path) -> None:
    session = Session(projects, "/home/dev/app", seed=10)
    good = session.main.respond("claude-sonnet-4-6", output=50)
    session.main.malformed()
    session.main.malformed()
    session.save()
    stats = ingest_tree(conn, projects)
    assert stats.malformed == 2
    assert conn.execute("SELECT malformed_lines FROM files").fetchone() == (2,)
    assert tokens_of(queries.session_totals(conn, session.session_id)) == expected_tokens([good])


def test_a_replaced_or_truncated_file_is_read_again_without_double_counting(
    conn: sqlite3.Connection, projects: Path
) -> None:
    session = Session(projects, "/home/dev/app", seed=11)
    responses = [session.main.respond("claude-sonnet-4-6", output=10 * (n + 1)) for n in range(4)]
    session.save()
    ingest_tree(conn, projects)
    path = session.main.path
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    replacement = path.with_suffix(".tmp")
    replacement.write_text("".join(lines[:2]), encoding="utf-8")
    os.replace(replacement, path)  # a new inode, shorter than the stored offset
    ingest_tree(conn, projects)
    assert tokens_of(queries.session_totals(conn, session.session_id)) == expected_tokens(responses)
    row = conn.execute("SELECT offset, size FROM files").fetchone()
    assert row == (path.stat().st_size, path.stat().st_size)


def test_subagent_turns_carry_their_agent_id_and_the_type_from_the_meta_file(
    conn: sqlite3.Connection, projects: Path
) -> None:
    session = Session(projects, "/home/dev/app", seed=12)
    session.main.respond("claude-opus-4-8", tools=("Task",))
    sub = session.subagent("code-reviewer", agent_id="a1b2c3")
    sub.respond("claude-haiku-4-5-20251001", output=77)
    session.save()
    ingest_tree(conn, projects)
    assert queries.agent_types(conn, session.session_id) == {(session.session_id, "a1b2c3"): "code-reviewer"}
    rows = conn.execute("SELECT agent_id, output_tokens FROM turns WHERE agent_id != 'main'").fetchall()
    assert rows == [("a1b2c3", 77)]


def test_tool_calls_are_recorded_with_mcp_servers_split_out(conn: sqlite3.Connection, projects: Path) -> None:
    session = Session(projects, "/home/dev/app", seed=13)
    response = session.main.respond("claude-sonnet-4-6", tools=("Read", "mcp__plugin_thrifty_thrifty__read_many"))
    session.save()
    ingest_tree(conn, projects)
    rows = conn.execute("SELECT tool_use_id, message_id, plugin, server, tool FROM tool_calls ORDER BY id").fetchall()
    assert rows == [
        (response.tool_use_ids[0], response.message_id, None, None, "Read"),
        (response.tool_use_ids[1], response.message_id, "thrifty", "thrifty", "read_many"),
    ]


def test_tool_result_tokens_are_the_context_growth_of_the_next_request(
    conn: sqlite3.Connection, projects: Path
) -> None:
    session = Session(projects, "/home/dev/app", seed=14)
    main = session.main
    first = main.respond("claude-sonnet-4-6", tools=("Read", "Grep"))
    main.tool_results(first, [4_000, 800])  # ~1000 and ~200 tokens
    second = main.respond("claude-sonnet-4-6", tools=("Read",))
    main.tool_results(second, [2_000])
    main.respond("claude-sonnet-4-6")
    session.save()
    ingest_tree(conn, projects)
    got = {t.name: (t.calls, t.result_tokens) for t in queries.tool_totals(conn)}
    assert got == {"Read": (2, first.result_tokens // 2 + second.result_tokens),
                   "Grep": (1, first.result_tokens // 2)}


def test_recent_turns_name_the_tools_whose_results_they_read_first(conn: sqlite3.Connection, projects: Path) -> None:
    session = Session(projects, "/home/dev/app", seed=15)
    first = session.main.respond("claude-sonnet-4-6", tools=("Bash",))
    session.main.tool_results(first)
    session.main.respond("claude-sonnet-4-6")
    session.save()
    ingest_tree(conn, projects)
    newest, oldest = queries.recent_turns(conn, limit=5)
    assert (newest.after_tools, oldest.after_tools) == (["Bash"], [])
    assert newest.cost_usd is not None and newest.cost_usd > 0


@pytest.mark.parametrize(
    ("relative", "session", "project", "agent"),
    [
        ("proj/s1.jsonl", "s1", "proj", "main"),
        ("proj/s1/subagents/agent-a9.jsonl", "s1", "proj", "a9"),
        ("proj/s1/chat.jsonl", "s1", "proj", "main"),
        ("proj/s1/subagents/workflows/wf/agent-b2.jsonl", "wf", "proj/s1/subagents/workflows", "b2"),
    ],
)
def test_files_belong_to_the_session_and_project_ccusage_gives_them(
    projects: Path, relative: str, session: str, project: str, agent: str
) -> None:
    source = describe(str(projects / relative), projects)
    assert (source.session_id, source.project, source.agent_id) == (session, project, agent)


def test_a_transcripts_root_that_is_not_a_directory_is_a_clear_error(conn: sqlite3.Connection, tmp_path: Path) -> None:
    not_a_dir = tmp_path / "projects"
    not_a_dir.write_text("", encoding="utf-8")
    with pytest.raises(TranscriptsError, match="cannot read the transcripts directory"):
        ingest_tree(conn, not_a_dir)


def test_a_missing_transcripts_root_is_simply_empty(conn: sqlite3.Connection, tmp_path: Path) -> None:
    assert ingest_tree(conn, tmp_path / "nothing-here").files_seen == 0


def test_a_transcript_written_by_hand_keeps_its_own_session_directory(
    conn: sqlite3.Connection, projects: Path
) -> None:
    transcript = Transcript(projects / "p" / "sess.jsonl", "sess", project="p")
    transcript.respond("claude-sonnet-4-6", output=9)
    transcript.save()
    ingest_files(conn, [transcript.path], projects)
    assert conn.execute("SELECT session_id, project, output_tokens FROM turns").fetchall() == [("sess", "p", 9)]
