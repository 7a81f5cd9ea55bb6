"""The report views over the team database: the local schema of each view plus `user` and `host` on the rows that
belong to one machine (sessions, agents, the summary), a `team` block on every view, and the `users` view.

The rows are read into an in-memory ledger (`mirror.load`), so the figures come from the same queries and prices
as `thrifty report` on one machine.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pydantic import BaseModel, Field, create_model

from thrifty.dburl import redact
from thrifty.ledger import queries
from thrifty.ledger.queries import Filters
from thrifty.report.build import build, notes, totals_of, usage_fields
from thrifty.report.models import (
    AgentRow,
    AgentsReport,
    SessionRow,
    SessionsReport,
    SummaryReport,
    Totals,
    UsageFields,
)
from thrifty.team.mirror import load, machines_of_sessions

TEAM_VIEWS = ("sessions", "daily", "agents", "models", "tools", "summary", "cache-misses", "users")


class TeamInfo(BaseModel):
    database: str = Field(description="the team database, password masked")
    users: int
    machines: int = Field(description="distinct user@host pairs in the rows shown")


class Machine(BaseModel):
    user: str | None = None
    host: str | None = None


class TeamSessionRow(SessionRow, Machine):
    pass


class TeamAgentRow(AgentRow, Machine):
    pass


class TeamSessionsReport(SessionsReport):
    sessions: list[TeamSessionRow]
    team: TeamInfo


class TeamAgentsReport(AgentsReport):
    agents: list[TeamAgentRow]
    team: TeamInfo


class TeamSummaryReport(SummaryReport, Machine):
    agents: list[TeamAgentRow]
    team: TeamInfo


class UserRow(UsageFields):
    user: str
    host: str
    sessions: int
    models: list[str]
    first_activity: str | None
    last_activity: str | None


class UsersReport(BaseModel):
    """Spend per user and machine, most expensive first."""

    users: list[UserRow]
    totals: Totals
    notes: list[str] = []
    team: TeamInfo


_TEAM_MODELS: dict[type[BaseModel], type[BaseModel]] = {
    SessionsReport: TeamSessionsReport, AgentsReport: TeamAgentsReport, SummaryReport: TeamSummaryReport,
}


def team_model(local: type[BaseModel]) -> type[BaseModel]:
    """The team variant of a local report model: a known one, else the local schema plus `team`."""
    found = _TEAM_MODELS.get(local)
    if found is None:
        found = _TEAM_MODELS[local] = create_model(f"Team{local.__name__}", __base__=local,
                                                   team=(TeamInfo, ...))
    return found


# Views that read turns and agents alone: their mirror skips the tool calls.
_WITHOUT_TOOL_CALLS = frozenset(("sessions", "daily", "models", "agents", "users"))


def build_team(pg: Any, url: str, view: str, filters: Filters) -> BaseModel:
    mem = load(pg, filters, tool_calls=view not in _WITHOUT_TOOL_CALLS)
    try:
        machines = machines_of_sessions(mem)
        info = _info(mem, url)
        if view == "users":
            return build_users(mem, filters, info)
        local = build(mem, view, filters)
        return _tag(local, machines, info)
    finally:
        mem.close()


def _info(mem: sqlite3.Connection, url: str) -> TeamInfo:
    users, machines = mem.execute("SELECT COUNT(DISTINCT user_name), COUNT(DISTINCT user_name || '@' || host) "
                                  "FROM turns").fetchone()
    return TeamInfo(database=redact(url), users=users, machines=machines)


def _machine(machines: dict[str, tuple[str, str]], session_id: str | None) -> dict[str, str | None]:
    user, host = machines.get(session_id or "", (None, None))
    return {"user": user, "host": host}


def _tag(local: BaseModel, machines: dict[str, tuple[str, str]], info: TeamInfo) -> BaseModel:
    data = local.model_dump()
    if isinstance(local, SessionsReport):
        data["sessions"] = [{**row, **_machine(machines, row["session_id"])} for row in data["sessions"]]
    if isinstance(local, (AgentsReport, SummaryReport)):
        data["agents"] = [{**row, **_machine(machines, row["session_id"])} for row in data["agents"]]
    if isinstance(local, SummaryReport):
        data.update(_machine(machines, local.session_id))
    return team_model(type(local)).model_validate({**data, "team": info})


def build_users(mem: sqlite3.Connection, filters: Filters, info: TeamInfo) -> UsersReport:
    by_machine = queries.usage_by(mem, ("user_name", "host"), filters)
    where, params = filters.sql()
    sessions = {(u, h): n for u, h, n in mem.execute(
        f"SELECT user_name, host, COUNT(DISTINCT session_id) FROM turns{where} GROUP BY user_name, host", params)}
    rows = [UserRow(user=str(user), host=str(host), sessions=sessions.get((user, host), 0), models=usage.models,
                    first_activity=usage.first_ts or None, last_activity=usage.last_ts or None,
                    **usage_fields(usage))
            for (user, host), usage in by_machine.items()]
    rows.sort(key=lambda r: (-(r.cost_usd or 0.0), r.user, r.host))
    report_totals = totals_of(queries.combined(by_machine.values()))
    return UsersReport(users=rows, totals=report_totals, notes=notes(mem, report_totals), team=info)
