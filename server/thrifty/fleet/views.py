"""Build the fleet views from the ledger: sessions active recently with agents, burn rate, budgets and cache misses.

Budgets are judged with the settings the session's own hooks last resolved (`budget_settings`: userConfig reaches
hooks only, not this shell); a session no hook has seen yet uses what this shell resolves.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta

from thrifty.fleet import cache_misses
from thrifty.fleet.budgets import MAIN_AGENT, OK, SEVERITY, Budget, evaluate
from thrifty.fleet.models import (
    AgentView,
    BudgetBar,
    CacheMissesReport,
    CacheMissRow,
    CacheMissTotals,
    FleetView,
    SessionView,
    TokenCounts,
)
from thrifty.fleet.settings import Settings, resolve
from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage

SESSION_MISSES = 3
FLEET_MISSES = 8


def utc_ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def tokens_of(usage: Usage) -> TokenCounts:
    return TokenCounts(input=usage.input_tokens, output=usage.output_tokens, cache_write=usage.cache_creation_tokens,
                       cache_read=usage.cache_read_tokens, total=usage.total_tokens)


def bar(budget: Budget) -> BudgetBar:
    return BudgetBar(level=budget.level, unit=budget.unit,  # type: ignore[arg-type]
                     agent_id=budget.agent_id if budget.level == "subagent" else None, limit=budget.limit,
                     raised=budget.raised, spent=budget.spent, ratio=budget.ratio, state=budget.state,  # type: ignore[arg-type]
                     raise_command=budget.raise_command())


def miss_row(miss: cache_misses.CacheMiss) -> CacheMissRow:
    data = miss.as_dict()
    data.pop("ttl_seconds")
    return CacheMissRow.model_validate(data)


def session_settings(conn: sqlite3.Connection, session_id: str, fallback: Settings) -> tuple[Settings, str | None]:
    """(settings the session's hooks enforce, its project dir), else (`fallback`, None)."""
    row = conn.execute("SELECT settings, project_dir FROM budget_settings WHERE session_id = ?",
                       (session_id,)).fetchone()
    if row is None:
        return fallback, None
    try:
        return Settings.from_json(row[0]), str(row[1])
    except ValueError:
        return fallback, None


def latest_settings(conn: sqlite3.Connection, fallback: Settings) -> Settings:
    """The settings hooks resolved most recently (for the machine-wide daily budget)."""
    row = conn.execute("SELECT settings FROM budget_settings ORDER BY updated_at DESC LIMIT 1").fetchone()
    if row is None:
        return fallback
    try:
        return Settings.from_json(row[0])
    except ValueError:
        return fallback


def local_settings() -> Settings:
    return resolve(os.getcwd(), os.environ)


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


def agents(conn: sqlite3.Connection, session_id: str) -> list[tuple[str, Usage]]:
    merged: dict[str, Usage] = {}
    for (_, agent_id, _), usage in queries.agent_totals(conn, Filters(session_id=session_id)).items():
        key = str(agent_id)
        merged[key] = usage if key not in merged else queries.merge(merged[key], usage)
    return sorted(merged.items(), key=lambda item: (item[0] != MAIN_AGENT, item[1].first_ts, item[0]))


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
        budget_state=max((b.state for b in budgets), key=SEVERITY.__getitem__, default=OK),  # type: ignore[arg-type]
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


def cache_misses_report(conn: sqlite3.Connection, filters: Filters) -> CacheMissesReport:
    """Every cache miss the filters select, newest first, with totals by cause (the `cache-misses` report view)."""
    rows = [miss_row(m) for m in cache_misses.find(conn, filters)]
    by_cause: dict[str, CacheMissTotals] = {}
    for row in rows:
        bucket = by_cause.setdefault(row.cause, CacheMissTotals())
        bucket.misses += 1
        bucket.rewritten_tokens += row.rewritten_tokens
        bucket.extra_cost_usd += row.extra_cost_usd or 0.0
    examined = queries.total(conn, filters).turns
    totals = CacheMissTotals(misses=len(rows), rewritten_tokens=sum(r.rewritten_tokens for r in rows),
                             extra_cost_usd=sum(r.extra_cost_usd or 0.0 for r in rows), turns=examined)
    return CacheMissesReport(cache_misses=rows, by_cause=by_cause, totals=totals)

