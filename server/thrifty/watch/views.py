"""Build the watch views from the ledger: sessions active recently with agents, burn rate, budgets and cache misses.

Budgets are judged with the settings the session's own hooks last resolved (see `thrifty.guard.recorded`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from thrifty.guard.budgets import MAIN_AGENT, evaluate, worst
from thrifty.guard.recorded import latest_settings, local_settings, session_settings
from thrifty.guard.settings import Settings
from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage, utc_ts
from thrifty.report import cache_misses
from thrifty.report.budget_view import agents, bar
from thrifty.report.cache_view import miss_row
from thrifty.watch.models import AgentView, FleetView, SessionView, TokenCounts

SESSION_MISSES = 3
FLEET_MISSES = 8


def tokens_of(usage: Usage) -> TokenCounts:
    return TokenCounts(input=usage.input_tokens, output=usage.output_tokens, cache_write=usage.cache_creation_tokens,
                       cache_read=usage.cache_read_tokens, total=usage.total_tokens)


def active_sessions(conn: sqlite3.Connection, since: datetime, limit: int = 50) -> list[tuple[str, str]]:
    """(session_id, project) of sessions with a turn since `since`, most recent first."""
    rows = conn.execute(
        """SELECT session_id, project FROM turns WHERE ts >= ? GROUP BY session_id, project
           ORDER BY MAX(ts) DESC LIMIT ?""",
        (utc_ts(since), limit),
    )
    return [(str(a), str(b)) for a, b in rows]


def usage_since(conn: sqlite3.Connection, session_id: str, since: datetime) -> Usage:
    usage = Usage()
    rows = conn.execute(
        f"SELECT model, speed, {queries.TOKEN_SUMS_SQL} FROM turns WHERE session_id = ? AND ts >= ? "
        "GROUP BY model, speed",
        (session_id, utc_ts(since)),
    )
    for row in rows:
        usage.add(row[0], row[1], row[2:])
    return usage


def session_view(conn: sqlite3.Connection, session_id: str, project: str, now: datetime, burn_minutes: int,
                 fallback: Settings) -> SessionView:
    usage = queries.session_totals(conn, session_id)
    burn = usage_since(conn, session_id, now - timedelta(minutes=burn_minutes))
    settings, _ = session_settings(conn, session_id, fallback)
    today = now.astimezone().date()
    types = queries.agent_types(conn, session_id)
    budgets = evaluate(conn, settings, session_id, MAIN_AGENT, today, ("session",))
    agent_views = []
    for agent_id, agent_usage in agents(conn, session_id):
        if agent_id != MAIN_AGENT:
            budgets += evaluate(conn, settings, session_id, agent_id, today, ("subagent",))
        agent_views.append(AgentView(agent_id=agent_id, agent_type=types.get((session_id, agent_id)),
                                     models=agent_usage.models, cost_usd=agent_usage.cost_usd,
                                     tokens=tokens_of(agent_usage), turns=agent_usage.turns,
                                     last_activity=agent_usage.last_ts or None))
    misses = cache_misses.find(conn, Filters(session_id=session_id))
    return SessionView(
        session_id=session_id, project=project, cost_usd=usage.cost_usd,
        burn_usd_per_hour=(burn.cost_usd or 0.0) * 60 / burn_minutes, tokens=tokens_of(usage),
        cache_hit_ratio=usage.cache_hit_ratio, turns=usage.turns, first_activity=usage.first_ts or None,
        last_activity=usage.last_ts or None, agents=agent_views, budgets=[bar(b) for b in budgets],
        budget_state=worst(budgets),
        cache_misses=[miss_row(m) for m in misses[:SESSION_MISSES]],
        cache_miss_cost_usd=sum(m.extra_cost_usd or 0.0 for m in misses),
    )


def fleet_view(conn: sqlite3.Connection, now: datetime, window_minutes: int, burn_minutes: int,
               sessions: list[SessionView] | None = None) -> FleetView:
    """Every session active in the window (or the given views) and the machine's day."""
    fallback = local_settings()
    if sessions is None:
        sessions = [session_view(conn, sid, project, now, burn_minutes, fallback)
                    for sid, project in active_sessions(conn, now - timedelta(minutes=window_minutes))]
    today = now.astimezone().date()
    day = queries.total(conn, Filters(since=today, until=today))
    daily = evaluate(conn, latest_settings(conn, fallback), "", MAIN_AGENT, today, ("daily",))
    return FleetView(
        updated_at=utc_ts(now), window_minutes=window_minutes, burn_minutes=burn_minutes, sessions=sessions,
        today_cost_usd=day.cost_usd, today_tokens=day.total_tokens, daily_budgets=[bar(b) for b in daily],
        cache_misses=[miss_row(m) for m in cache_misses.find(conn, Filters(since=today, until=today),
                                                             limit=FLEET_MISSES)],
    )
