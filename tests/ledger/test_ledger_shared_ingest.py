"""A first ingest shared with a forked helper writes the very ledger a single pass writes, and a helper that fails
leaves its part to the parent instead of losing or doubling it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fixtures_gen.transcripts import realistic_session
from thrifty.ledger import fork, ingest
from thrifty.ledger.db import connect
from thrifty.ledger.ingest import ingest_tree

pytestmark = pytest.mark.skipif(not fork.can_fork(), reason="no os.fork on this platform")

TURN_COLUMNS = ", ".join(f"t.{name}" for name in (
    "message_id", "request_id", "session_id", "project", "agent_id", "line_offset", "ts", "model", "speed",
    "is_sidechain", "input_tokens", "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
    "cache_read_tokens"))


def contents(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every fact of the ledger, with file ids replaced by paths (ids depend on insertion order, facts must not)."""
    return {
        "files": conn.execute("SELECT path, session_id, project, agent_id, inode, size, offset, usage_lines, "
                              "malformed_lines FROM files ORDER BY path").fetchall(),
        "turns": conn.execute(f"SELECT {TURN_COLUMNS}, f.path FROM turns t JOIN files f ON f.id = t.file_id "
                              "ORDER BY t.message_id, t.request_id, f.path, t.line_offset").fetchall(),
        "tool_calls": conn.execute("SELECT tool_use_id, message_id, c.session_id, c.agent_id, f.path, c.line_offset, "
                                   "ts, name, plugin, server, tool FROM tool_calls c JOIN files f ON f.id = c.file_id "
                                   "ORDER BY tool_use_id, message_id").fetchall(),
        "agents": conn.execute("SELECT * FROM agents ORDER BY session_id, agent_id").fetchall(),
    }


@pytest.fixture
def history(projects: Path) -> Path:
    for seed in range(1, 9):  # sidechain replays, streaming copies and subagents spread over both halves
        realistic_session(projects, seed=seed, turns=10, subagents=2)
    return projects


def watch_share(monkeypatch: pytest.MonkeyPatch) -> list[fork.Shared]:
    """Every `fork.share` the ingest opens, as it stands once closed (whether the helper committed its part)."""
    seen: list[fork.Shared] = []
    real_share = fork.share

    @contextmanager
    def watching(*args: Any, **kwargs: Any) -> Iterator[fork.Shared]:
        with real_share(*args, **kwargs) as shared:
            yield shared
        seen.append(shared)

    monkeypatch.setattr(ingest, "share", watching)
    return seen


def ingest_once(tmp_path: Path, name: str, root: Path, workers: int
                ) -> tuple[dict[str, list[tuple[object, ...]]], dict[str, int]]:
    conn = connect(tmp_path / name / "ledger.db")
    stats = ingest_tree(conn, root, workers=workers)
    try:
        return contents(conn), stats.as_dict()
    finally:
        conn.close()


def test_a_shared_first_ingest_writes_what_a_single_pass_writes(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "SHARE_AFTER_BYTES", 0)
    single, single_stats = ingest_once(tmp_path, "single", history, workers=1)
    seen = watch_share(monkeypatch)
    shared, shared_stats = ingest_once(tmp_path, "shared", history, workers=2)
    assert [s.done for s in seen] == [True]  # the helper did write its part
    assert shared == single
    assert shared_stats == single_stats
    assert len(single["files"]) > 8 and single_stats["malformed"] > 0


def test_a_failing_helper_leaves_its_part_to_the_parent(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "SHARE_AFTER_BYTES", 0)
    single, single_stats = ingest_once(tmp_path, "single", history, workers=1)

    def broken_connect(path: Path, *, migrate: bool = True) -> sqlite3.Connection:  # only the helper calls it
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ingest, "connect", broken_connect)
    seen = watch_share(monkeypatch)
    shared, shared_stats = ingest_once(tmp_path, "shared", history, workers=2)
    assert [s.done for s in seen] == [False]
    assert shared == single
    assert shared_stats == single_stats


def test_a_ledger_already_up_to_date_forks_nothing(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "SHARE_AFTER_BYTES", 0)
    conn = connect(tmp_path / "ledger.db")
    ingest_tree(conn, history, workers=2)

    def no_fork(*args: object, **kwargs: object) -> object:
        raise AssertionError("forked for nothing")

    monkeypatch.setattr(ingest, "share", no_fork)
    assert ingest_tree(conn, history, workers=2).files_read == 0
    conn.close()
