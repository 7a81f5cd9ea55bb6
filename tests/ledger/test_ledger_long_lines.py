"""Huge transcript lines: ingestion reads in bounded blocks, never holding a long line that carries no usage."""

from __future__ import annotations

import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from fixtures_gen.synth import dumps
from fixtures_gen.transcripts import Session, append_line, expected_tokens
from thrifty.ledger import queries, scan
from thrifty.ledger.db import connect
from thrifty.ledger.ingest import ingest_tree
from thrifty.ledger.transcripts import USAGE_MARKER, parse_lines
from thrifty.paths import ledger_path

SNAPSHOT_BYTES = 40 << 20


def snapshot_line(size: int) -> str:
    """A `file-history-snapshot` record as big as `size` bytes (these reach hundreds of MB: ccusage#873)."""
    return dumps({"type": "file-history-snapshot", "messageId": "m1", "isSnapshotUpdate": False,
                  "snapshot": {"trackedFileBackups": {"data.json": {"content": "x" * size}}}})


def totals(conn: sqlite3.Connection, session_id: str) -> dict[str, int]:
    usage = queries.session_totals(conn, session_id)
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
            "cache_creation_tokens": usage.cache_creation_tokens, "cache_read_tokens": usage.cache_read_tokens,
            "cache_write_5m_tokens": usage.cache_write_5m_tokens, "cache_write_1h_tokens": usage.cache_write_1h_tokens}


def test_a_huge_line_without_usage_is_never_held_whole_and_the_turns_around_it_count(
    projects: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "READ_BLOCK", 64 << 10)
    monkeypatch.setattr(scan, "LONG_LINE", 256 << 10)
    session = Session(projects, "/home/dev/app", seed=31)
    before = session.main.respond("claude-sonnet-4-6", output=120, tools=("Read",))
    session.save()
    append_line(session.main.path, snapshot_line(SNAPSHOT_BYTES))
    long_reply = session.main.respond("claude-opus-4-8", output=900, text_chars=300_000)  # usage past LONG_LINE
    after = session.main.respond("claude-haiku-4-5-20251001", output=30)
    session.save()
    conn = connect(ledger_path())
    tracemalloc.start()
    try:
        stats = ingest_tree(conn, projects)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stats.malformed == 0
    assert totals(conn, session.session_id) == expected_tokens([before, long_reply, after])
    assert peak < SNAPSHOT_BYTES // 5, f"ingestion held {peak:,} bytes at once"


def test_an_unfinished_huge_line_waits_for_its_newline_and_is_then_skipped(
    projects: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "READ_BLOCK", 64 << 10)
    monkeypatch.setattr(scan, "LONG_LINE", 256 << 10)
    session = Session(projects, "/home/dev/app", seed=32)
    first = session.main.respond("claude-sonnet-4-6", output=50)
    session.save()
    line = snapshot_line(1 << 20)
    append_line(session.main.path, line[:-10], newline=False)
    conn = connect(ledger_path())
    ingest_tree(conn, projects)
    append_line(session.main.path, line[-10:])
    second = session.main.respond("claude-sonnet-4-6", output=70)
    session.save()
    ingest_tree(conn, projects)
    assert totals(conn, session.session_id) == expected_tokens([first, second])
    offset = conn.execute("SELECT offset FROM files WHERE path = ?", (str(session.main.path),)).fetchone()[0]
    assert offset == session.main.path.stat().st_size


def test_a_usage_marker_split_across_two_blocks_of_a_long_line_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = Session(tmp_path / "projects", "/home/dev/app", seed=33)
    session.main.respond("claude-opus-4-8", output=400, text_chars=20_000)
    session.save()
    data = session.main.path.read_bytes()
    want = [(r.message_id, r.offset, r.output_tokens) for r in parse_lines(data).records]
    marker_at = data.index(USAGE_MARKER)
    assert data.count(b"\n") == 1 and marker_at > 1_000
    monkeypatch.setattr(scan, "LONG_LINE", 1_000)
    for cut in range(1, len(USAGE_MARKER)):  # each place a block boundary can fall inside the marker
        monkeypatch.setattr(scan, "READ_BLOCK", marker_at + cut)
        with open(session.main.path, "rb") as fh:
            found = scan.scan(fh, 0, len(data))
        assert [(r.message_id, r.offset, r.output_tokens) for r in found.result.records] == want
        assert found.next_offset == len(data)
