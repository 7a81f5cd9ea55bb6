"""Build each report view from the ledger: the queries of `thrifty.ledger.queries` shaped into `report.models`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage
from thrifty.report import lean
from thrifty.report.batches import batches_report
from thrifty.report.cache_view import cache_misses_report
from thrifty.report.lean import usage_fields
from thrifty.report.models import (
    AgentRow,
    AgentsReport,
    DailyReport,
    DailyRow,
    ModelRow,
    ModelsReport,
    Report,
    SessionsReport,
    SummaryReport,
    ToolRow,
    ToolsReport,
    ToolTotals,
    Totals,
)
from thrifty.report.savings import SessionSavings, build_savings

VIEWS = ("sessions", "daily", "agents", "models", "tools", "summary", "cache-misses", "batches", "savings",
         "branches")


def totals(conn: sqlite3.Connection, filters: Filters) -> Totals:
    return totals_of(queries.total(conn, filters))


def totals_of(usage: Usage) -> Totals:
    return Totals.model_validate(lean.totals_fields(usage))


def build_sessions(conn: sqlite3.Connection, filters: Filters) -> SessionsReport:
    """`lean.sessions_document` validated into the model: the lean `--json` path and this one share one builder."""
    return SessionsReport.model_validate(lean.sessions_document(conn, filters))


def build_daily(conn: sqlite3.Connection, filters: Filters) -> DailyReport:
    by_day = queries.daily_totals(conn, filters)
    rows = [DailyRow(date=day, models=usage.models, **usage_fields(usage)) for day, usage in by_day.items()]
    report_totals = totals_of(queries.combined(by_day.values()))
    return DailyReport(daily=rows, totals=report_totals, notes=notes(conn, report_totals))


def agent_rows(conn: sqlite3.Connection, filters: Filters) -> list[AgentRow]:
    types = queries.agent_types(conn, filters.session_id)
    rows = [
        AgentRow(session_id=str(session_id), agent_id=str(agent_id),
                 agent_type=types.get((str(session_id), str(agent_id))), model=model, first_activity=usage.first_ts,
                 last_activity=usage.last_ts, **usage_fields(usage))
        for (session_id, agent_id, model), usage in queries.agent_totals(conn, filters).items()
    ]
    first_seen: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row.session_id, row.agent_id)
        first_seen[key] = min(first_seen.get(key, row.first_activity or ""), row.first_activity or "")
    session_start = {row.session_id: first_seen[(row.session_id, "main")] if (row.session_id, "main") in first_seen
                     else "" for row in rows}
    rows.sort(key=lambda r: (session_start[r.session_id], r.session_id, r.agent_id != "main",
                             first_seen[(r.session_id, r.agent_id)], r.agent_id, r.first_activity or ""))
    return rows


def build_agents(conn: sqlite3.Connection, filters: Filters) -> AgentsReport:
    report_totals = totals(conn, filters)
    return AgentsReport(agents=agent_rows(conn, filters), totals=report_totals, notes=notes(conn, report_totals))


def model_rows(conn: sqlite3.Connection, filters: Filters) -> list[ModelRow]:
    rows = [ModelRow(model=str(model or queries.NO_MODEL), **usage_fields(usage))
            for (model,), usage in queries.model_totals(conn, filters).items()]
    rows.sort(key=lambda row: -(row.cost_usd or 0.0))
    return rows


def build_models(conn: sqlite3.Connection, filters: Filters) -> ModelsReport:
    report_totals = totals(conn, filters)
    return ModelsReport(models=model_rows(conn, filters), totals=report_totals, notes=notes(conn, report_totals))


def tool_rows(conn: sqlite3.Connection, filters: Filters) -> list[ToolRow]:
    return [
        ToolRow(name=t.name, plugin=t.plugin, server=t.server, tool=t.tool, calls=t.calls,
                result_tokens=t.result_tokens, avg_result_tokens=round(t.result_tokens / t.calls) if t.calls else 0,
                sessions=t.sessions)
        for t in queries.tool_totals(conn, filters)
    ]


def build_tools(conn: sqlite3.Connection, filters: Filters) -> ToolsReport:
    rows = tool_rows(conn, filters)
    tool_totals = ToolTotals(calls=sum(r.calls for r in rows), result_tokens=sum(r.result_tokens for r in rows))
    return ToolsReport(tools=rows, totals=tool_totals, notes=notes(conn, None))


def build_summary(conn: sqlite3.Connection, filters: Filters) -> SummaryReport:
    """One session (the `--session` one, else the most recently active) by agent, model and tool."""
    session_id = filters.session_id or latest_session(conn, filters)
    scoped = Filters(filters.since, filters.until, filters.project, session_id, filters.agent_id)
    report_totals = totals(conn, scoped) if session_id else Totals()
    project = None
    if session_id:
        row = conn.execute("SELECT project FROM turns WHERE session_id = ? LIMIT 1", (session_id,)).fetchone()
        project = row[0] if row else None
    found = session_id is not None and report_totals.turns > 0
    extra = [] if found or session_id is None else [f"no turns recorded for session {session_id}"]
    return SummaryReport(
        session_id=session_id, project=project, totals=report_totals,
        agents=agent_rows(conn, scoped) if found else [], models=model_rows(conn, scoped) if found else [],
        tools=tool_rows(conn, scoped) if found else [], notes=extra + notes(conn, report_totals),
        savings=session_savings(conn, session_id) if found and session_id else None,
    )


def session_savings(conn: sqlite3.Connection, session_id: str) -> SessionSavings | None:
    found = build_savings(conn, Filters(session_id=session_id)).sessions
    return found[0] if found else None


def latest_session(conn: sqlite3.Connection, filters: Filters) -> str | None:
    where, params = filters.sql()
    row = conn.execute(f"SELECT session_id FROM turns{where} ORDER BY ts DESC LIMIT 1", params).fetchone()
    return str(row[0]) if row else None


def notes(conn: sqlite3.Connection, report_totals: Totals | None) -> list[str]:
    """What a reader must know to trust the figures: unpriced models, skipped lines."""
    return lean.notes(conn, report_totals.unpriced_models if report_totals is not None else [])


def build_cache_misses(conn: sqlite3.Connection, filters: Filters) -> Report:
    """Cache misses with cause and price."""
    return cache_misses_report(conn, filters)


def build_batches(conn: sqlite3.Connection, filters: Filters) -> Report:
    """Message Batches sent by `thrifty batch`, priced at batch rates."""
    return batches_report(conn, filters)


def build_savings_view(conn: sqlite3.Connection, filters: Filters) -> Report:
    """What thrifty saved and the waste left, per session (report.savings)."""
    return build_savings(conn, filters)


def build_branches(conn: sqlite3.Connection, filters: Filters) -> Report:
    """Cost per git branch and the model mix (report.branches)."""
    from thrifty.report.branches import build_branches as build

    return build(conn, filters)


BUILDERS: dict[str, Callable[[sqlite3.Connection, Filters], Report]] = {
    "sessions": build_sessions, "daily": build_daily, "agents": build_agents, "models": build_models,
    "tools": build_tools, "summary": build_summary, "cache-misses": build_cache_misses, "batches": build_batches,
    "savings": build_savings_view, "branches": build_branches,
}


def build(conn: sqlite3.Connection, view: str, filters: Filters) -> Report:
    """The report for `view` (one of VIEWS)."""
    return BUILDERS[view](conn, filters)
