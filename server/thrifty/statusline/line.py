"""The status line's figures: this session's cost with its subagents, today's cost on this machine, the nearest
budget, the session's cache hit ratio. Standard library only.

The session's transcripts (main and subagents) are ingested first, as the Stop hook does, so the line is current
even between hooks. If another process holds the ledger's write lock longer than `LOCK_WAIT_MS` (a first `thrifty
report` over a large history), the line shows what the ledger already has and marks itself stale with `~`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from thrifty.guard.budgets import MAIN_AGENT, OK, OVER, STOP, WARN, evaluate
from thrifty.guard.recorded import session_settings
from thrifty.guard.settings import resolve
from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage
from thrifty.money import usd

LOCK_WAIT_MS = 400
_COLORS = {WARN: "\x1b[33m", OVER: "\x1b[31m", STOP: "\x1b[1;31m"}
_RESET = "\x1b[0m"


def money(usage: Usage) -> str:
    return usd(usage.cost_usd, missing="$n/a") + ("*" if usage.unpriced_models else "")


def project_dir(event: Mapping[str, Any]) -> str:
    workspace = event.get("workspace")
    if isinstance(workspace, dict):
        for key in ("project_dir", "current_dir"):
            value = workspace.get(key)
            if isinstance(value, str) and value:
                return value
    cwd = event.get("cwd")
    return cwd if isinstance(cwd, str) else ""


def ingest_session(conn: sqlite3.Connection, transcript: str) -> bool:
    """Read the session's new transcript lines (subagents included); False when the ledger stayed locked."""
    from thrifty.ledger.ingest import ingest_files, session_files
    from thrifty.paths import transcripts_dir

    conn.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    try:
        ingest_files(conn, session_files(Path(transcript).expanduser()), transcripts_dir())
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return False
        raise
    return True


def nearest_budget(conn: sqlite3.Connection, event: Mapping[str, Any], session_id: str, today: date,
                   env: Mapping[str, str], color: bool) -> str:
    """'session budget 45%' for the budget closest to its limit, or '' when none is set."""
    settings, _ = session_settings(conn, session_id, resolve(project_dir(event) or None, env))
    if not settings.budgets_on:
        return ""
    budgets = evaluate(conn, settings, session_id, MAIN_AGENT, today, ("session", "daily"))
    if not budgets:
        return ""
    top = max(budgets, key=lambda b: b.ratio)
    text = f"{top.level}{' tokens' if top.unit == 'tokens' else ''} budget {top.ratio:.0%}"
    return f"{_COLORS[top.state]}{text}{_RESET}" if color and top.state != OK else text


def status_line(conn: sqlite3.Connection, event: Mapping[str, Any], today: date | None = None,
                env: Mapping[str, str] = os.environ) -> str:
    """The one line for `event` (Claude Code's statusLine JSON)."""
    session_id = event.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        raise ValueError("the status line input has no session_id")
    transcript = event.get("transcript_path")
    if transcript is not None and not isinstance(transcript, str):
        raise ValueError(f"transcript_path is not a path: {transcript!r}")
    fresh = ingest_session(conn, transcript) if transcript else True
    today = today or date.today()
    by_agent = queries.usage_by(conn, ("agent_id",), Filters(session_id=session_id))
    session = queries.combined(by_agent.values())
    subagents = queries.combined(u for (agent,), u in by_agent.items() if agent != MAIN_AGENT)
    day = queries.total(conn, Filters(since=today, until=today))
    parts = [f"thrifty {money(session)}" + (f" (subagents {money(subagents)})" if subagents.turns else ""),
             f"today {money(day)}"]
    budget = nearest_budget(conn, event, session_id, today, env, color="NO_COLOR" not in env)
    if budget:
        parts.append(budget)
    hit = session.cache_hit_ratio
    if hit is not None:
        parts.append(f"cache {hit:.0%}")
    return ("" if fresh else "~") + " · ".join(parts)
