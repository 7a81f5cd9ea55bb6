"""`thrifty report [VIEW]`: ingest what the hooks have not, then print a usage view as a table or one JSON document."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported where used: the command's import stays light
    from thrifty.ledger.queries import Filters
    from thrifty.report.models import Report

VIEWS = ("sessions", "daily", "agents", "models", "tools", "summary", "cache-misses", "batches", "savings",
         "branches", "html", "users")
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    match = _DATE.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD or YYYYMMDD, e.g. 2026-11-20") from None


@click.command()
@click.argument("view", required=False, default="sessions", type=click.Choice(VIEWS, case_sensitive=False))
@click.option("-s", "--since", callback=_parse_date, help="First day to include (YYYY-MM-DD or YYYYMMDD, local).")
@click.option("-u", "--until", callback=_parse_date, help="Last day to include (inclusive).")
@click.option("-p", "--project", help="Only this project: its folder under projects/, e.g. -home-me-app.")
@click.option("--session", "session_id", help="Only this session id (summary: the session to show).")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document instead of a table.")
@click.option("--plain", is_flag=True, help="summary only: a few plain lines instead of tables (for /thrifty:cost).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="html only: the file to write (default thrifty-report.html here).")
@click.option("--open", "open_page", is_flag=True, help="html only: open the page in the default browser.")
@click.option("--db", help="Report over the team database at this PostgreSQL URL (every synced machine).")
@click.option("--team", is_flag=True, help="Report over the team database of the team_db setting.")
def report(view: str, since: date | None, until: date | None, project: str | None, session_id: str | None,
           as_json: bool, plain: bool, output: Path | None, open_page: bool, db: str | None,
           team: bool) -> None:
    """Token usage and cost by session, day, agent, model or tool, from Claude Code's transcripts.

    VIEW is sessions (default), daily, agents, models, tools, summary (one session by agent, model and tool:
    the latest one unless --session is given), cache-misses (turns that rewrote their cached prefix, with a
    likely cause and the extra cost), batches (`thrifty batch` jobs at batch prices), savings (what thrifty's
    tools saved per session and the waste left, each with the thrifty call that replaces it) or branches (cost per
    git branch and the model mix). New transcript lines are read first, so history from before thrifty was
    installed is included. With --db or --team the view covers every machine synced to the team database
    (`thrifty sync`), rows carry user and host, and the users view shows spend per user and machine.

    html writes all of it as one self-contained page (no network needed to view it): spend per day by model,
    each session's tree of agents, tokens by kind, model mix, cache misses, tools, branches and budgets.
    """
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}", param_hint="--since/--until")
    if db or team:
        _team_report(view.lower(), since, until, project, session_id, as_json, plain, db)
        return
    if view.lower() == "users":
        raise click.UsageError("the users view is a team view: add --team or --db postgresql://...")
    from thrifty.ledger.queries import Filters

    if plain and (view.lower() != "summary" or as_json):
        raise click.BadParameter("--plain applies to the summary view's table output only", param_hint="--plain")
    if (output or open_page) and view.lower() != "html":
        raise click.BadParameter("--output and --open apply to the html view only", param_hint="--output/--open")
    filters = Filters(since=since, until=until, project=project, session_id=session_id)
    if as_json and view.lower() == "sessions":
        click.echo(_lean_sessions_json(filters))  # no pydantic on the path a script polls
        return
    if view.lower() == "html":
        if as_json and output:
            raise click.BadParameter("--json prints the page's data instead of writing a page; drop -o",
                                     param_hint="--json/--output")
        from thrifty.commands.report_html import write_html

        write_html(filters, output or Path("thrifty-report.html"), open_page, as_json)
        return
    result = _build(view.lower(), filters)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
        return
    from thrifty.report.table import render

    if _is_empty(result):
        click.echo(_empty_message(filters) if view.lower() != "batches" else
                   "No batch recorded: `thrifty batch submit JOB` sends one (see `thrifty batch --help`).")
        return
    if plain:
        from thrifty.report.compact import render_summary
        from thrifty.report.models import SummaryReport

        assert isinstance(result, SummaryReport)  # --plain is refused above for the other views
        click.echo(render_summary(result))
        return
    render(result)


def _team_report(view: str, since: date | None, until: date | None, project: str | None, session_id: str | None,
                 as_json: bool, plain: bool, db: str | None) -> None:
    from thrifty.commands.team_access import team_db, team_url
    from thrifty.ledger.queries import Filters
    from thrifty.team.views import TEAM_VIEWS, build_team

    if view not in TEAM_VIEWS:
        raise click.UsageError(f"the {view} view is not available over the team database; team views: "
                               f"{', '.join(TEAM_VIEWS)}")
    if plain:
        raise click.BadParameter("--plain is not available for team views", param_hint="--plain")
    url = team_url(db)
    with team_db(url) as pg:
        result = build_team(pg, url, view, Filters(since=since, until=until, project=project, session_id=session_id))
    if as_json:
        click.echo(result.model_dump_json(indent=2))
        return
    from thrifty.team.table import render_team

    render_team(result)


def _build(view: str, filters: Filters) -> Report:
    from thrifty.commands.ledger_access import open_ledger
    from thrifty.report.build import build

    with open_ledger() as conn:
        return build(conn, view, filters)


def _lean_sessions_json(filters: Filters) -> str:
    from thrifty.commands.ledger_access import open_ledger
    from thrifty.report.lean import dumps, sessions_document

    with open_ledger() as conn:
        return dumps(sessions_document(conn, filters))


def _is_empty(result: Report) -> bool:
    from thrifty.report.models import BatchesReport, ToolsReport
    from thrifty.report.savings import SavingsReport

    if isinstance(result, BatchesReport):
        return not result.batches
    if isinstance(result, ToolsReport):
        return not result.totals.calls
    if isinstance(result, SavingsReport):
        return not result.sessions
    return not result.totals.turns  # type: ignore[union-attr]


def _empty_message(filters: Filters) -> str:
    from thrifty.paths import transcripts_dir

    scope = " matching these filters" if any(
        getattr(filters, name) for name in ("since", "until", "project", "session_id")) else ""
    return (f"No token usage found{scope}. thrifty reads Claude Code transcripts from {transcripts_dir()} "
            "(set CLAUDE_CONFIG_DIR if yours live elsewhere).")
