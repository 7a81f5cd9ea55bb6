"""The team's rows, read from PostgreSQL into an in-memory ledger of the local schema, so every report view and
every price is computed by the same code as on one machine. The copy adds `user_name` and `host` to `turns`.

Only the rows the filters select are read (by `ts`, project and session, on indexed columns), with their tool calls
and agents. Cache-miss causes in a team view cannot look for compaction markers in the transcripts (those stay on
their machines), so they rely on the prompt-size test alone.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from thrifty.ledger import rollup
from thrifty.ledger.db import connect as connect_ledger
from thrifty.ledger.queries import Filters
from thrifty.ledger.transaction import transaction

UNREADABLE = "/dev/null/thrifty-team"  # below a file, so never a readable path

_TURN_COLS = ("message_id, request_id, user_name, host, session_id, project, agent_id, file_key, line_offset, ts, "
              "model, speed, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, "
              "cache_read_tokens")


def _where(filters: Filters, exclude: tuple[str, str] | None) -> tuple[str, list[object]]:
    where, params = filters.sql("t")
    where = where.replace("?", "%s")
    if exclude is not None:
        where += (" AND " if where else " WHERE ") + "NOT (t.user_name = %s AND t.host = %s)"
        params = [*params, *exclude]
    return where, params


def load(pg: Any, filters: Filters, exclude: tuple[str, str] | None = None, *, tool_calls: bool = True
         ) -> sqlite3.Connection:
    """An in-memory ledger holding the team's turns matching `filters` (minus the machine `exclude`, user and host),
    their tool calls (unless `tool_calls` is False: most views never read them, and they are the most rows) and the
    agents of their sessions."""
    where, params = _where(filters, exclude)
    mem = connect_ledger(Path(":memory:"))
    mem.execute("ALTER TABLE turns ADD COLUMN user_name TEXT")
    mem.execute("ALTER TABLE turns ADD COLUMN host TEXT")
    files: dict[str, int] = {}

    def file_id(key: str) -> int:
        return files.setdefault(key, len(files) + 1)

    turns = pg.execute(f"SELECT {_TURN_COLS} FROM thrifty_turns t{where} ORDER BY t.ts, t.message_id", params)
    calls = pg.execute(
        f"""SELECT c.tool_use_id, c.message_id, c.session_id, c.agent_id, c.file_key, c.line_offset, c.ts, c.name,
                   c.plugin, c.server, c.tool FROM thrifty_tool_calls c
            WHERE c.message_id IN (SELECT t.message_id FROM thrifty_turns t{where}) ORDER BY c.ts, c.tool_use_id""",
        params).fetchall() if tool_calls else []
    agents = pg.execute(f"""SELECT session_id, agent_id, agent_type FROM thrifty_agents
                            WHERE session_id IN (SELECT t.session_id FROM thrifty_turns t{where})""", params).fetchall()
    with transaction(mem):
        mem.executemany(
            """INSERT INTO turns (message_id, request_id, user_name, host, session_id, project, agent_id, file_id,
                   line_offset, ts, model, speed, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens,
                   cache_write_1h_tokens, cache_read_tokens)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            ((None if r[0].startswith("~") else r[0], *r[1:7], file_id(r[7]), *r[8:]) for r in turns))
        rollup.catch_up(mem)
        mem.executemany(
            """INSERT OR IGNORE INTO tool_calls (tool_use_id, message_id, session_id, agent_id, file_id, line_offset,
                   ts, name, plugin, server, tool) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            ((None if r[0].startswith("~") else r[0], r[1], r[2], r[3], file_id(r[4]), *r[5:]) for r in calls))
        mem.executemany("INSERT OR IGNORE INTO agents (session_id, agent_id, agent_type) VALUES (?, ?, ?)", agents)
        # One `files` row per source file (cache-miss detection joins them). The transcripts live on other
        # machines: the path is one that cannot be opened, so detection falls back on the prompt-size test.
        mem.executemany(
            """INSERT INTO files (id, path, session_id, project, agent_id)
               SELECT ?, ?, session_id, project, agent_id FROM turns WHERE file_id = ? LIMIT 1""",
            ((file_id, f"{UNREADABLE}/{key}", file_id) for key, file_id in files.items()))
    return mem


def machines_of_sessions(mem: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """session id -> (user, host) that recorded it (the first, should a session span machines)."""
    found: dict[str, tuple[str, str]] = {}
    for session_id, user, host in mem.execute("SELECT session_id, user_name, host FROM turns ORDER BY id"):
        found.setdefault(session_id, (user, host))
    return found
