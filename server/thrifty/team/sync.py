"""`thrifty sync`: push this machine's new ledger facts to the team database, each exactly once.

New turns (`turns.id` above the mark), turns whose tokens changed since (`turn_changes`), new tool calls and the
agent types of the sessions sent go up in chunks (facts only: no task descriptions, prompts or file contents).
Each chunk is one PostgreSQL transaction that stages the rows with COPY and merges them with
`INSERT ... ON CONFLICT` on the de-duplication key, keeping the copy with the larger token total. The local mark
moves only after the commit, so an interrupted sync repeats rows the keys absorb, and two machines (or two syncs
of one machine) merging at once lose nothing and double nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from thrifty.ledger.transaction import transaction
from thrifty.team.marks import Marks, current_marks, read_marks, write_marks
from thrifty.team.pg import ensure_schema

CHUNK_ROWS = 20_000  # rows per PostgreSQL transaction (and per local read)
RETRIES = 3  # a deadlock between two machines merging overlapping keys is retried (PostgreSQL aborts one side)

_TURN_COLS = ("message_id", "request_id", "user_name", "host", "session_id", "project", "agent_id", "file_key",
              "line_offset", "ts", "model", "speed", "is_sidechain", "input_tokens", "output_tokens",
              "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens")
_TOOL_COLS = ("tool_use_id", "message_id", "user_name", "host", "session_id", "agent_id", "file_key", "line_offset",
              "ts", "name", "plugin", "server", "tool")
_TOTAL = "({t}.input_tokens + {t}.output_tokens + {t}.cache_write_5m_tokens + {t}.cache_write_1h_tokens" \
         " + {t}.cache_read_tokens)"
_LOCAL_TURN = """SELECT id, message_id, request_id, session_id, project, agent_id, file_id, line_offset, ts, model,
                        speed, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens,
                        cache_write_1h_tokens, cache_read_tokens FROM turns"""


@dataclass
class SyncResult:
    turns_sent: int = 0
    turns_added: int = 0
    turns_updated: int = 0
    tool_calls_sent: int = 0
    tool_calls_added: int = 0
    agents_sent: int = 0


def synthetic_key(session_id: str, agent_id: str, line_offset: int) -> str:
    """The team key of a response without a message id (the local ledger never de-duplicates those)."""
    return f"~{session_id}/{agent_id}/{line_offset}"


def sync(ledger: sqlite3.Connection, pg: Any, target: str, user: str, host: str) -> SyncResult:
    """Push everything above this target's marks; the marks follow each committed chunk."""
    ensure_schema(pg)
    result = SyncResult()
    start, top = read_marks(ledger, target), current_marks(ledger)
    sessions: set[str] = set()
    machine = f"{user}@{host}"

    def turn_row(row: Sequence[Any]) -> tuple[Any, ...]:
        _, message_id, request_id, session_id, project, agent_id, file_id, line_offset, *rest = row
        sessions.add(session_id)
        key = message_id if message_id is not None else synthetic_key(session_id, agent_id, line_offset)
        return (key, request_id, user, host, session_id, project, agent_id, f"{machine}:{file_id}", line_offset,
                *rest)

    marks = start
    for chunk in _chunks(ledger, f"{_LOCAL_TURN} WHERE id > ? AND id <= ? ORDER BY id",
                         (start.turns_id, top.turns_id)):
        added, updated = _merge_turns(pg, [turn_row(r) for r in chunk])
        result.turns_sent += len(chunk)
        result.turns_added += added
        result.turns_updated += updated
        marks = replace(marks, turns_id=chunk[-1][0])
        _save(ledger, target, marks)
    changed = ledger.execute(
        f"""{_LOCAL_TURN} WHERE id <= ? AND id IN (SELECT turn_id FROM turn_changes WHERE seq > ? AND seq <= ?)
            ORDER BY id""", (start.turns_id, start.changes_seq, top.changes_seq)).fetchall()
    if changed:
        added, updated = _merge_turns(pg, [turn_row(r) for r in changed])
        result.turns_sent += len(changed)
        result.turns_added += added
        result.turns_updated += updated
    marks = replace(marks, turns_id=top.turns_id, changes_seq=top.changes_seq)
    _save(ledger, target, marks)
    for chunk in _chunks(ledger, """SELECT id, tool_use_id, message_id, session_id, agent_id, file_id, line_offset, ts,
                                           name, plugin, server, tool FROM tool_calls WHERE id > ? AND id <= ?
                                    ORDER BY id""", (start.tool_calls_id, top.tool_calls_id)):
        rows = [(r[1] or f"~{r[3]}/{r[4]}/{r[6]}/{r[8]}", r[2], user, host, r[3], r[4], f"{machine}:{r[5]}", *r[6:])
                for r in chunk]
        result.tool_calls_sent += len(rows)
        result.tool_calls_added += _merge_tool_calls(pg, rows)
        marks = replace(marks, tool_calls_id=chunk[-1][0])
        _save(ledger, target, marks)
    result.agents_sent = _merge_agents(pg, ledger, sessions)
    _save(ledger, target, replace(marks, tool_calls_id=top.tool_calls_id))
    return result


def _chunks(ledger: sqlite3.Connection, sql: str, params: tuple[int, int]) -> Iterator[list[Any]]:
    """Rows of `sql` (`... WHERE id > ? AND id <= ? ORDER BY id`, id first) in chunks, each read afresh after the
    last id, so no read stays open across the mark writes between chunks."""
    after, top = params
    while chunk := ledger.execute(f"{sql} LIMIT {CHUNK_ROWS}", (after, top)).fetchall():
        yield chunk
        after = chunk[-1][0]


def _save(ledger: sqlite3.Connection, target: str, marks: Marks) -> None:
    with transaction(ledger):
        write_marks(ledger, target, marks)


def _retrying(pg: Any, work: Any) -> Any:
    import psycopg

    for attempt in range(RETRIES):
        try:
            with pg.transaction():
                return work()
        except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _stage(pg: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    pg.execute(f"CREATE TEMP TABLE stage_{table} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
    with pg.cursor().copy(f"COPY stage_{table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _merge_turns(pg: Any, rows: list[tuple[Any, ...]]) -> tuple[int, int]:
    """Merge turns; returns (inserted, updated). A copy only replaces a stored one with fewer tokens."""
    cols = ", ".join(_TURN_COLS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in _TURN_COLS[2:])

    def work() -> tuple[int, int]:
        _stage(pg, "thrifty_turns", _TURN_COLS, rows)
        flags = pg.execute(
            f"""INSERT INTO thrifty_turns ({cols})
                SELECT DISTINCT ON (message_id, request_id) {cols} FROM stage_thrifty_turns s
                ORDER BY message_id, request_id, {_TOTAL.format(t='s')} DESC
                ON CONFLICT (message_id, request_id) DO UPDATE SET {sets}, synced_at = now()
                WHERE {_TOTAL.format(t='excluded')} > {_TOTAL.format(t='thrifty_turns')}
                RETURNING (xmax = 0)""").fetchall()
        inserted = sum(1 for (flag,) in flags if flag)
        return inserted, len(flags) - inserted

    result: tuple[int, int] = _retrying(pg, work)
    return result


def _merge_tool_calls(pg: Any, rows: list[tuple[Any, ...]]) -> int:
    cols = ", ".join(_TOOL_COLS)

    def work() -> int:
        _stage(pg, "thrifty_tool_calls", _TOOL_COLS, rows)
        return int(pg.execute(
            f"""INSERT INTO thrifty_tool_calls ({cols})
                SELECT DISTINCT ON (tool_use_id) {cols} FROM stage_thrifty_tool_calls ORDER BY tool_use_id
                ON CONFLICT (tool_use_id) DO NOTHING""").rowcount)

    result: int = _retrying(pg, work)
    return result


def _merge_agents(pg: Any, ledger: sqlite3.Connection, sessions: set[str]) -> int:
    rows: list[tuple[Any, ...]] = []
    ids = sorted(sessions)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows.extend(ledger.execute(
            f"""SELECT session_id, agent_id, agent_type FROM agents
                WHERE session_id IN ({','.join('?' * len(chunk))}) ORDER BY session_id, agent_id""", chunk))
    if not rows:
        return 0

    def work() -> int:
        with pg.cursor() as cur:
            cur.executemany(
                """INSERT INTO thrifty_agents (session_id, agent_id, agent_type) VALUES (%s, %s, %s)
                   ON CONFLICT (session_id, agent_id) DO UPDATE SET
                       agent_type = COALESCE(excluded.agent_type, thrifty_agents.agent_type)""", rows)
        return len(rows)

    result: int = _retrying(pg, work)
    return result
