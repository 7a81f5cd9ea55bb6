"""`thrifty budget`: the budgets of recent sessions with spend and state, the machine's day, raises, and settings;
and the lookups `thrifty budget raise` needs (which session or subagent an id or prefix names)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from thrifty.dburl import redact
from thrifty.errors import ToolError
from thrifty.guard.budgets import MAIN_AGENT, Budget, evaluate, worst
from thrifty.guard.recorded import latest_settings, local_settings, session_settings
from thrifty.guard.settings import KEYS, Settings
from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage, utc_ts
from thrifty.report.budget_models import BudgetBar, BudgetReport, RaiseRow, SessionBudgets, SettingRow

RECENT_HOURS = 24
MAX_SESSIONS = 20


def bar(budget: Budget) -> BudgetBar:
    return BudgetBar(level=budget.level, unit=budget.unit,
                     agent_id=budget.agent_id if budget.level == "subagent" else None, limit=budget.limit,
                     raised=budget.raised, spent=budget.spent, ratio=budget.ratio, state=budget.state,
                     raise_command=budget.raise_command())


def agents(conn: sqlite3.Connection, session_id: str) -> list[tuple[str, Usage]]:
    merged: dict[str, Usage] = {}
    for (_, agent_id, _), usage in queries.agent_totals(conn, Filters(session_id=session_id)).items():
        key = str(agent_id)
        merged[key] = usage if key not in merged else queries.merge(merged[key], usage)
    return sorted(merged.items(), key=lambda item: (item[0] != MAIN_AGENT, item[1].first_ts, item[0]))


def setting_rows(settings: Settings) -> list[SettingRow]:
    rows = []
    for key in KEYS:
        value = settings[key]
        if isinstance(value, tuple):
            text = ", ".join(value)
        elif isinstance(value, str):  # a URL: off when empty, a database URL without its password
            text = (redact(value) if KEYS[key].kind == "url" else value) if value else "(off)"
        else:
            text = f"{value:g}"
        rows.append(SettingRow(key=key, value=text, source=settings.sources[key]))
    return rows


def recent_sessions(conn: sqlite3.Connection, since: datetime) -> list[str]:
    """Sessions with a turn, or a hook call, since `since`: most recent first."""
    stamp = utc_ts(since)
    rows = conn.execute(
        """SELECT session_id, MAX(last) FROM (
               SELECT session_id, MAX(ts) AS last FROM turns WHERE ts >= ? GROUP BY session_id
               UNION ALL
               SELECT session_id, updated_at FROM budget_settings WHERE updated_at >= ?)
           GROUP BY session_id ORDER BY 2 DESC LIMIT ?""",
        (stamp, stamp, MAX_SESSIONS),
    )
    return [str(row[0]) for row in rows]


def session_budgets(conn: sqlite3.Connection, session_id: str, now: datetime, fallback: Settings) -> SessionBudgets:
    settings, project_dir = session_settings(conn, session_id, fallback)
    today = now.astimezone().date()
    usage = queries.session_totals(conn, session_id)
    budgets = evaluate(conn, settings, session_id, MAIN_AGENT, today, ("session",))
    for agent_id, _ in agents(conn, session_id):
        if agent_id != MAIN_AGENT:
            budgets += evaluate(conn, settings, session_id, agent_id, today, ("subagent",))
    row = conn.execute("SELECT project FROM turns WHERE session_id = ? LIMIT 1", (session_id,)).fetchone()
    return SessionBudgets(
        session_id=session_id, project=str(row[0]) if row else "", project_dir=project_dir,
        settings_from="hooks" if project_dir is not None else "this shell", cost_usd=usage.cost_usd,
        total_tokens=usage.total_tokens, last_activity=usage.last_ts or None, budgets=[bar(b) for b in budgets],
        state=worst(budgets),
    )


def build(conn: sqlite3.Connection, now: datetime, session_id: str | None = None) -> BudgetReport:
    here = local_settings()
    ids = [session_id] if session_id else recent_sessions(conn, now - timedelta(hours=RECENT_HOURS))
    sessions = [session_budgets(conn, sid, now, here) for sid in ids]
    today = now.astimezone().date()
    daily = evaluate(conn, latest_settings(conn, here), "", MAIN_AGENT, today, ("daily",))
    raises = [RaiseRow(level=r[0], session_id=r[1], agent_id=r[2], day=r[3], unit=r[4], amount=r[5],
                       created_at=r[6])
              for r in conn.execute(
                  f"""SELECT level, session_id, agent_id, day, unit, amount, created_at FROM budget_raises
                      WHERE day = ? OR session_id IN ({",".join("?" * len(ids))}) ORDER BY id DESC LIMIT 20""",
                  (today.isoformat(), *ids))]
    notes = []
    if not daily and not any(s.budgets for s in sessions):
        notes.append("no budget is set. Set session_usd, subagent_usd or daily_usd (and *_tokens) in the plugin's "
                     "options (/plugin, thrifty, Configure) or per project in [tool.thrifty.budget] of "
                     "pyproject.toml or [budget] of .thrifty.toml")
    if session_id and not sessions[0].last_activity and sessions[0].project_dir is None:
        notes.append(f"no turns or hook calls recorded for session {session_id}")
    return BudgetReport(settings=setting_rows(here), errors=here.errors, daily=[bar(b) for b in daily],
                        sessions=sessions, raises=raises, notes=notes)


def find_session(conn: sqlite3.Connection, given: str | None) -> str:
    """The session an id or unique prefix names; without one, the most recently active session.

    Raises:
        ToolError: no such session, an ambiguous prefix, or no session at all.
    """
    if not given:
        row = conn.execute(
            """SELECT session_id FROM (SELECT session_id, MAX(ts) AS last FROM turns GROUP BY session_id
                   UNION ALL SELECT session_id, updated_at FROM budget_settings) ORDER BY last DESC LIMIT 1"""
        ).fetchone()
        if row is None:
            raise ToolError("no session is recorded yet; pass --session ID (see `thrifty report sessions`)")
        return str(row[0])
    like = given.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = [str(r[0]) for r in conn.execute(
        """SELECT DISTINCT session_id FROM (SELECT session_id FROM files UNION SELECT session_id FROM budget_settings)
           WHERE session_id LIKE ? ESCAPE '\\' LIMIT 6""", (like,))]
    if given in found:
        return given
    if not found:
        raise ToolError(f"no session {given!r} in the ledger; `thrifty budget` lists recent sessions")
    if len(found) > 1:
        raise ToolError(f"{given!r} matches several sessions ({', '.join(s[:12] for s in found)}); give more of the id")
    return found[0]


def find_agent(conn: sqlite3.Connection, session_id: str, given: str) -> str:
    """The subagent of `session_id` an id or unique prefix names.

    Raises:
        ToolError: no such subagent in that session, or an ambiguous prefix.
    """
    known = [str(r[0]) for r in conn.execute(
        "SELECT DISTINCT agent_id FROM files WHERE session_id = ? AND agent_id != ?", (session_id, MAIN_AGENT))]
    if given in known:
        return given
    matches = [a for a in known if a.startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        listed = ", ".join(known[:8]) or "none recorded"
        raise ToolError(f"session {session_id[:8]} has no subagent {given!r} (its subagents: {listed})")
    raise ToolError(f"{given!r} matches several subagents ({', '.join(matches)}); give more of the id")
