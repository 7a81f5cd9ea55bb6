"""Everything the HTML report shows, as one pydantic model built from the same views `thrifty report --json` prints.

Each part is the report view of that name, built by the same code with the same filters, so every figure on the page
equals the JSON's. The page only trims what would not fit (the session tree of the costliest sessions, the priciest
cache misses); totals always cover everything, and the page says what it left out.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from pydantic import BaseModel, Field

from thrifty.ledger import queries
from thrifty.ledger.queries import Filters
from thrifty.report.branches import BranchesReport, build_branches
from thrifty.report.budget_models import BudgetReport
from thrifty.report.build import (
    build_agents,
    build_daily,
    build_models,
    build_sessions,
    build_tools,
)
from thrifty.report.cache_view import cache_misses_report
from thrifty.report.models import (
    AgentRow,
    AgentsReport,
    CacheMissesReport,
    DailyReport,
    ModelsReport,
    SessionsReport,
    ToolsReport,
)

DETAIL_SESSIONS = 25  # sessions drawn as a tree of agents
LISTED_SESSIONS = 400  # sessions listed one per row; the rest folded into one summary row
LISTED_MISSES = 40  # cache misses listed, priciest first


class DayModelCost(BaseModel):
    date: str
    model: str
    cost_usd: float | None
    total_tokens: int


class SessionTree(BaseModel):
    session_id: str
    rows: list[int] = Field(description="indexes into `agents.agents`: main thread first, then subagents by cost")


class Overview(BaseModel):
    generated_at: str
    scope: str = Field(description="the filters, in words")
    sessions: SessionsReport
    daily: DailyReport
    daily_by_model: list[DayModelCost]
    models: ModelsReport
    agents: AgentsReport
    trees: list[SessionTree] = Field(description=f"the {DETAIL_SESSIONS} costliest sessions")
    tools: ToolsReport
    cache_misses: CacheMissesReport = Field(description=f"totals of all; rows: the {LISTED_MISSES} priciest")
    branches: BranchesReport
    budgets: BudgetReport = Field(description="as `thrifty budget --json` shows them now")
    savings: BaseModel | None = Field(default=None, description="the savings report, once it exists (issue 12)")


def scope_text(filters: Filters) -> str:
    parts = []
    if filters.since or filters.until:
        parts.append(f"{filters.since or 'start'} to {filters.until or 'today'}")
    if filters.project:
        parts.append(f"project {filters.project}")
    if filters.session_id:
        parts.append(f"session {filters.session_id}")
    return ", ".join(parts) or "all recorded history"


def daily_by_model(conn: sqlite3.Connection, filters: Filters) -> list[DayModelCost]:
    """Cost per local day and model (the stacks of the daily chart; per day they sum to the daily view)."""
    days: dict[tuple[str, str], queries.Usage] = {}
    for (bucket, model), usage in queries.usage_by(conn, (queries.day_bucket(), "model"), filters).items():
        key = (queries.local_day(str(bucket)), str(model or queries.NO_MODEL))
        days[key] = usage if key not in days else queries.merge(days[key], usage)
    return [DayModelCost(date=day, model=model, cost_usd=usage.cost_usd, total_tokens=usage.total_tokens)
            for (day, model), usage in sorted(days.items())]


def session_trees(sessions: SessionsReport, agents: list[AgentRow]) -> list[SessionTree]:
    top = sorted(sessions.sessions, key=lambda s: (-(s.cost_usd or 0.0), s.session_id))[:DETAIL_SESSIONS]
    by_session: dict[str, list[int]] = {}
    for index, row in enumerate(agents):
        by_session.setdefault(row.session_id, []).append(index)
    trees = []
    for session in top:
        rows = by_session.get(session.session_id, [])
        rows.sort(key=lambda i: (agents[i].agent_id != "main", -(agents[i].cost_usd or 0.0), agents[i].agent_id))
        trees.append(SessionTree(session_id=session.session_id, rows=rows))
    return trees


def build_overview(conn: sqlite3.Connection, filters: Filters, now: datetime) -> Overview:
    from thrifty.report.budget_view import build as build_budgets

    sessions = build_sessions(conn, filters)
    agents = build_agents(conn, filters)
    misses = cache_misses_report(conn, filters)
    shown = sorted(misses.cache_misses, key=lambda m: -(m.extra_cost_usd or 0.0))[:LISTED_MISSES]
    misses = misses.model_copy(update={"cache_misses": shown})
    return Overview(
        generated_at=now.astimezone().isoformat(timespec="seconds"), scope=scope_text(filters), sessions=sessions,
        daily=build_daily(conn, filters), daily_by_model=daily_by_model(conn, filters),
        models=build_models(conn, filters), agents=agents,
        trees=session_trees(sessions, agents.agents),
        tools=build_tools(conn, filters), cache_misses=misses, branches=build_branches(conn, filters),
        budgets=build_budgets(conn, now),
    )
