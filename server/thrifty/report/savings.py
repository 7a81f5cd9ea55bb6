"""`thrifty report savings`: per session, what thrifty's tools saved and the waste that is left, with its price.

Savings come from the server's `savings` rows (see `native`), attributed to a session and agent by the
PostToolUse hook's `tool_events` row of the same tool_use id (or, failing that, the transcript's `tool_calls`).
Waste kinds (each entry names the thrifty call that would have replaced it):
- `whole_file_read`: a Read without offset/limit of a file above read_many's whole-file limits (400 lines or 24 KB)
  that the same agent did not then edit (Edit needs a Read first), priced as the tokens it brought in.
- `repeat_read`: a Read of a file another agent or session had read in the hour before, priced the same way.
- `single_reads_run`: three or more consecutive turns of one agent that each made one Read or Grep and nothing else;
  priced as the extra requests (all but the first), each re-sending its prompt as cache reads.
- `noisy_check_output`: a check run through Bash whose output was over 8 KB, priced as the tokens it brought in.
Dollar figures: `thrifty.savings.estimate`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import NamedTuple

from pydantic import BaseModel, Field

from thrifty.ledger.queries import Filters
from thrifty.savings.estimate import TurnPrice, add
from thrifty.savings.native import tokens
from thrifty.savings.steer_limits import (
    NOISY_CHECK_CHARS,
    REPEAT_WINDOW,
    RUN_LENGTH,
    WHOLE_MAX_BYTES,
    WHOLE_MAX_LINES,
)

TOOL_PREFIX = "mcp__plugin_thrifty_thrifty__"


class Waste(BaseModel):
    kind: str
    tool: str
    tool_use_id: str | None
    path: str | None
    tokens: int
    usd: float | None
    suggestion: str = Field(description="the thrifty call that would have replaced it")


class SessionSavings(BaseModel):
    session_id: str
    thrifty_calls: int = 0
    tokens_returned: int = 0
    tokens_avoided: int = 0
    turns_avoided: int = 0
    usd_saved: float | None = None
    waste: list[Waste] = []


class SavingsTotals(BaseModel):
    sessions: int = 0
    thrifty_calls: int = 0
    tokens_returned: int = 0
    tokens_avoided: int = 0
    turns_avoided: int = 0
    usd_saved: float | None = None
    waste_tokens: int = 0
    waste_usd: float | None = None
    waste_by_kind: dict[str, int] = {}


class SavingsReport(BaseModel):
    sessions: list[SessionSavings]
    totals: SavingsTotals
    notes: list[str] = []


def _scope(filters: Filters, ts: str, session: str) -> tuple[str, list[object]]:
    """`filters` over a table of tool calls: its `ts` column and the expression naming each row's session."""
    clauses, params = filters.ts_bounds(ts)
    if filters.session_id is not None:
        clauses.append(f"{session} = ?")
        params.append(filters.session_id)
    if filters.project is not None:
        clauses.append(f"{session} IN (SELECT DISTINCT session_id FROM turns WHERE project = ?)")
        params.append(filters.project)
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


class _Prices:
    """The calling turn of a tool_use id, and each session's most used model as the fallback."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.fallback: dict[str, str | None] = {}

    def of_call(self, session_id: str, tool_use_id: str | None) -> TurnPrice:
        row = None
        if tool_use_id:
            row = self.conn.execute(
                """SELECT t.model, t.speed, t.cache_write_1h_tokens > t.cache_write_5m_tokens,
                          t.input_tokens + t.cache_write_5m_tokens + t.cache_write_1h_tokens + t.cache_read_tokens
                   FROM tool_calls c JOIN turns t ON t.message_id = c.message_id WHERE c.tool_use_id = ?
                   ORDER BY t.id LIMIT 1""", (tool_use_id,)).fetchone()
        if row is not None:
            return TurnPrice(row[0], row[1], bool(row[2]), int(row[3]))
        return TurnPrice(self.session_model(session_id))

    def session_model(self, session_id: str) -> str | None:
        if session_id not in self.fallback:
            row = self.conn.execute(
                """SELECT model FROM turns WHERE session_id = ? GROUP BY model
                   ORDER BY SUM(input_tokens + output_tokens + cache_write_5m_tokens + cache_write_1h_tokens
                                + cache_read_tokens) DESC LIMIT 1""", (session_id,)).fetchone()
            self.fallback[session_id] = row[0] if row else None
        return self.fallback[session_id]


def build_savings(conn: sqlite3.Connection, filters: Filters) -> SavingsReport:
    prices = _Prices(conn)
    sessions: dict[str, SessionSavings] = {}

    def session(session_id: str) -> SessionSavings:
        return sessions.setdefault(session_id, SessionSavings(session_id=session_id))

    _add_savings(conn, filters, prices, session)
    for session_id, waste in _waste(conn, filters, prices):
        session(session_id).waste.append(waste)
    rows = sorted(sessions.values(), key=lambda s: s.session_id)
    for row in rows:
        row.waste.sort(key=lambda w: -w.tokens)
        if not row.thrifty_calls:
            row.usd_saved = 0.0  # nothing saved; None stays for savings whose model has no price
    return SavingsReport(sessions=rows, totals=_totals(rows), notes=_notes(conn))


def saved(conn: sqlite3.Connection, session_id: str) -> SessionSavings:
    """One session's savings without the waste scan (for `thrifty watch`, which refreshes every few seconds)."""
    row = SessionSavings(session_id=session_id)
    _add_savings(conn, Filters(session_id=session_id), _Prices(conn), lambda _: row)
    return row


def _add_savings(conn: sqlite3.Connection, filters: Filters, prices: _Prices,
                 session: Callable[[str], SessionSavings]) -> None:
    where, params = _scope(filters, "s.ts", "COALESCE(e.session_id, c.session_id)")
    rows = conn.execute(
        f"""SELECT COALESCE(e.session_id, c.session_id), s.tool_use_id, s.tokens_returned, s.tokens_native,
                   s.native_calls
            FROM savings s LEFT JOIN tool_events e ON e.tool_use_id = s.tool_use_id
                 LEFT JOIN tool_calls c ON c.tool_use_id = s.tool_use_id
            WHERE COALESCE(e.session_id, c.session_id) IS NOT NULL{where} ORDER BY s.ts""", params)
    for session_id, tool_use_id, returned, native, calls in rows.fetchall():
        row = session(session_id)
        avoided, turns = max(native - returned, 0), max(calls - 1, 0)
        price = prices.of_call(session_id, tool_use_id)
        usd = add(price.context_usd(avoided), price.resend_usd(price.prompt_tokens * turns))
        row.thrifty_calls += 1
        row.tokens_returned += returned
        row.tokens_avoided += avoided
        row.turns_avoided += turns
        row.usd_saved = add(row.usd_saved, usd)


def _read_many(paths: Iterable[str]) -> str:
    return f"{TOOL_PREFIX}read_many(files={json.dumps(list(dict.fromkeys(paths)))})"


def _waste(conn: sqlite3.Connection, filters: Filters, prices: _Prices) -> list[tuple[str, Waste]]:
    where, params = _scope(filters, "e.ts", "e.session_id")
    found: list[tuple[str, Waste]] = []
    events = conn.execute(
        f"""SELECT e.session_id, e.agent_id, e.tool_use_id, e.tool_name, e.kind, e.path, e.rel_path, e.ranged,
                   e.total_lines, e.file_bytes, e.result_chars, e.check_name, e.ts
            FROM tool_events e WHERE e.kind IN ('read', 'check'){where} ORDER BY e.ts""", params).fetchall()
    for (session_id, agent_id, tool_use_id, tool_name, kind, path, rel_path, ranged, lines, size, chars, check,
         ts) in events:
        count = tokens(chars or size or 0)  # no result recorded (its PostToolUse was cut short): the file's size
        price = prices.of_call(session_id, tool_use_id)
        if kind == "check":
            if chars > NOISY_CHECK_CHARS:
                found.append((session_id, Waste(
                    kind="noisy_check_output", tool=tool_name, tool_use_id=tool_use_id, path=None, tokens=count,
                    usd=price.context_usd(count), suggestion=f'{TOOL_PREFIX}run_checks(checks=["{check}"])')))
            continue
        suggestion = _read_many([rel_path or path])
        big = (lines or 0) > WHOLE_MAX_LINES or (size or 0) > WHOLE_MAX_BYTES
        if not ranged and big and not _edited_after(conn, path, session_id, agent_id, ts):
            found.append((session_id, Waste(kind="whole_file_read", tool=tool_name, tool_use_id=tool_use_id,
                                            path=rel_path or path, tokens=count, usd=price.context_usd(count),
                                            suggestion=suggestion)))
        if _read_before(conn, path, session_id, agent_id, ts):
            found.append((session_id, Waste(kind="repeat_read", tool=tool_name, tool_use_id=tool_use_id,
                                            path=rel_path or path, tokens=count, usd=price.context_usd(count),
                                            suggestion=suggestion)))
    found += _single_read_runs(conn, filters)
    return found


def _edited_after(conn: sqlite3.Connection, path: str, session_id: str, agent_id: str, ts: str) -> bool:
    """Whether the same agent then changed the file (Edit needs a Read first, so that Read was no waste)."""
    row = conn.execute(
        """SELECT 1 FROM tool_events WHERE path = ? AND kind = 'edit' AND session_id = ? AND agent_id = ? AND ts >= ?
           LIMIT 1""", (path, session_id, agent_id, ts)).fetchone()
    return row is not None


def _read_before(conn: sqlite3.Connection, path: str, session_id: str, agent_id: str, ts: str) -> bool:
    """Whether another agent or session read this file in the hour before `ts`."""
    row = conn.execute(
        f"""SELECT 1 FROM tool_events WHERE path = ? AND kind = 'read' AND ts < ?
                AND ts >= strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-{REPEAT_WINDOW}')
                AND NOT (session_id = ? AND agent_id = ?) LIMIT 1""",
        (path, ts, ts, session_id, agent_id)).fetchone()
    return row is not None


class _Turn(NamedTuple):
    """One turn of an agent's transcript, with the tool call it made when it made exactly one."""

    session_id: str
    file_id: int
    model: str | None
    speed: str | None
    prompt: int
    calls: int
    name: str | None
    tool_use_id: str | None


def _single_read_runs(conn: sqlite3.Connection, filters: Filters) -> list[tuple[str, Waste]]:
    where, params = filters.sql("t")
    rows = conn.execute(
        f"""SELECT t.session_id, t.file_id, t.model, t.speed,
                   t.input_tokens + t.cache_write_5m_tokens + t.cache_write_1h_tokens + t.cache_read_tokens,
                   (SELECT COUNT(*) FROM tool_calls c WHERE c.message_id = t.message_id),
                   (SELECT c.name FROM tool_calls c WHERE c.message_id = t.message_id LIMIT 1),
                   (SELECT c.tool_use_id FROM tool_calls c WHERE c.message_id = t.message_id LIMIT 1)
            FROM turns t{where} ORDER BY t.file_id, t.line_offset""", params).fetchall()
    found: list[tuple[str, Waste]] = []
    run: list[_Turn] = []

    def close() -> None:
        if len(run) >= RUN_LENGTH:
            found.append((run[0].session_id, _run_waste(conn, run)))
        run.clear()

    for turn in (_Turn(*row) for row in rows):
        single = turn.calls == 1 and turn.name in ("Read", "Grep")
        if run and (not single or turn.file_id != run[-1].file_id):
            close()
        if single:
            run.append(turn)
    close()
    return found


def _run_waste(conn: sqlite3.Connection, run: list[_Turn]) -> Waste:
    usd: float | None = None
    for turn in run[1:]:
        usd = add(usd, TurnPrice(turn.model, turn.speed).resend_usd(turn.prompt))
    extra_tokens = sum(turn.prompt for turn in run[1:])
    ids = [str(turn.tool_use_id) for turn in run]
    known = {r[0]: r[1:] for r in conn.execute(
        f"SELECT tool_use_id, rel_path, path, pattern, kind FROM tool_events WHERE tool_use_id IN "
        f"({','.join('?' * len(ids))})", ids)}
    paths = [str(known[i][0] or known[i][1]) for i in ids if i in known and known[i][3] == "read"]
    patterns = [str(known[i][2]) for i in ids if i in known and known[i][3] == "grep" and known[i][2]]
    calls = []
    if paths or not patterns:
        calls.append(_read_many(paths) if paths else f"{TOOL_PREFIX}read_many(files=[...the {len(run)} files])")
    if patterns:
        calls.append(f"{TOOL_PREFIX}grep_and_read(patterns={json.dumps(list(dict.fromkeys(patterns)))})")
    tools = sorted({str(turn.name) for turn in run})
    return Waste(kind="single_reads_run", tool="/".join(tools), tool_use_id=ids[0], path=paths[0] if paths else None,
                 tokens=extra_tokens, usd=usd, suggestion=" + ".join(calls))


def _totals(rows: list[SessionSavings]) -> SavingsTotals:
    totals = SavingsTotals(sessions=len(rows), usd_saved=0.0 if not any(r.thrifty_calls for r in rows) else None)
    for row in rows:
        totals.thrifty_calls += row.thrifty_calls
        totals.tokens_returned += row.tokens_returned
        totals.tokens_avoided += row.tokens_avoided
        totals.turns_avoided += row.turns_avoided
        totals.usd_saved = add(totals.usd_saved, row.usd_saved)
        for waste in row.waste:
            totals.waste_tokens += waste.tokens
            totals.waste_usd = add(totals.waste_usd, waste.usd)
            totals.waste_by_kind[waste.kind] = totals.waste_by_kind.get(waste.kind, 0) + 1
    return totals


def _notes(conn: sqlite3.Connection) -> list[str]:
    notes = ["estimates: tokens are characters / 4; $ at the calling turn's model (README, 'What thrifty saved')"]
    if conn.execute("SELECT 1 FROM tool_events LIMIT 1").fetchone() is None:
        notes.append("no tool calls recorded by the PostToolUse hook yet: savings and most waste are measured as "
                     "calls happen, from the plugin's install on")
    return notes
