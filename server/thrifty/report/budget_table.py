"""`thrifty budget` as text: one box table of budgets (today's first, then each session's), then raises, settings
that are not defaults, and notes. Drawn with the report's table code so both commands look alike."""

from __future__ import annotations

from thrifty.guard.budgets import amount_text
from thrifty.money import usd
from thrifty.report.budget_models import BudgetBar, BudgetReport
from thrifty.report.table import Column, Screen, draw

STATE_LABEL = {"ok": "ok", "warn": "warning", "over": "reached", "stop": "stopped"}


def budget_cells(budget: BudgetBar) -> list[object]:
    return [amount_text(budget.unit, budget.limit) + (" (raised)" if budget.raised else ""),
            amount_text(budget.unit, budget.spent), f"{budget.ratio:.0%}", STATE_LABEL[budget.state]]


def render(report: BudgetReport, screen: Screen | None = None) -> None:
    screen = screen or Screen()
    columns = [Column("Session", right=False), Column("Project", right=False, drop=2),
               Column("Budget", right=False), Column("Limit"), Column("Spent"), Column("Used"),
               Column("State", right=False)]
    rows: list[list[object]] = [["(all)", "today", "daily", *budget_cells(b)] for b in report.daily]
    for session in report.sessions:
        for b in session.budgets:
            who = "session" if b.level == "session" else f"subagent {(b.agent_id or '')[:12]}"
            rows.append([session.session_id[:8], session.project, who, *budget_cells(b)])
        if not session.budgets:
            spent = usd(session.cost_usd)
            rows.append([session.session_id[:8], session.project, "(none set)", "", spent, "", ""])
    if rows:
        screen.print(draw("thrifty · budgets", columns, rows, None, screen.width, screen.color))
    else:
        screen.print("No session is active in the last 24 hours and no daily budget is set.")
    for r in report.raises[:5]:
        target = {"daily": r.day, "session": r.session_id[:8],
                  "subagent": f"{r.session_id[:8]}/{r.agent_id[:12] or 'all subagents'}"}.get(r.level, "")
        screen.note(f"raised {r.level} {target} by {amount_text(r.unit, r.amount)} at {r.created_at[:19]}Z")
    changed = [s for s in report.settings if s.source != "default"]
    if changed:
        screen.note("settings in this shell: " + ", ".join(f"{s.key} = {s.value} ({s.source})" for s in changed))
    for error in report.errors:
        screen.note(f"setting ignored: {error}")
    for note in report.notes:
        screen.note(f"note: {note}")
    over = [b for s in report.sessions for b in s.budgets if b.state in ("over", "stop")] + [
        b for b in report.daily if b.state in ("over", "stop")]
    if over:
        screen.note(f"raise with: {over[0].raise_command}")
