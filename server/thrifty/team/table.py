"""Tables of the team views: the local tables (user@host added to sessions), the users table, and a team line."""

from __future__ import annotations

from pydantic import BaseModel

from thrifty.report.models import Report
from thrifty.report.table import TITLE, Column, Screen, render, short, total_row, usage_cells
from thrifty.team.views import TeamSessionsReport, UsersReport


def render_team(report: BaseModel, screen: Screen | None = None) -> None:
    screen = screen or Screen()
    team = getattr(report, "team", None)
    if isinstance(report, UsersReport):
        users_table(report, screen)
        for note in report.notes:
            screen.note(f"note: {note}")
    elif isinstance(report, TeamSessionsReport):
        sessions_table(report, screen)
        for note in report.notes:
            screen.note(f"note: {note}")
    else:
        assert isinstance(report, Report)  # the personal views the team database also answers
        render(report, screen)
    if team is not None:
        screen.note(f"team: {team.users} user{'s' if team.users != 1 else ''} on {team.machines} "
                    f"machine{'s' if team.machines != 1 else ''}, from {team.database}")


def users_table(report: UsersReport, screen: Screen) -> None:
    leading = [Column("User", right=False), Column("Host", right=False, drop=3), Column("Sessions", numeric=True,
                                                                                        drop=4)]
    rows = [[r.user, r.host, r.sessions, *usage_cells(r)] for r in report.users]
    screen.table(f"{TITLE} by user", leading, rows, total_row(report.totals, len(leading)))


def sessions_table(report: TeamSessionsReport, screen: Screen) -> None:
    leading = [Column("Session", right=False), Column("User", right=False), Column("Project", right=False, drop=4),
               Column("Last Activity", right=False, drop=6)]
    rows = [[short(r.session_id), f"{r.user}@{r.host}", r.project, (r.last_activity or "")[:10], *usage_cells(r)]
            for r in report.sessions]
    screen.table(f"{TITLE} by session, whole team", leading, rows, total_row(report.totals, len(leading)))
