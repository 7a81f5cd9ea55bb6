"""`thrifty budget`: budgets with spend and state; `thrifty budget raise`: add to a budget from the terminal.

A raise is stored in the ledger and read by the next PreToolUse of the sessions it covers, so it takes effect on
the next tool call without restarting anything.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from thrifty.commands.ledger_access import open_ledger
from thrifty.guard.settings import LEVELS, Level

if TYPE_CHECKING:
    from thrifty.guard.settings import Settings


def _settings_of(conn: sqlite3.Connection, session_id: str, fallback: Settings) -> tuple[Settings, bool]:
    """(the settings the session's hooks use, True), else (`fallback`, False)."""
    from thrifty.guard.recorded import session_settings

    settings, project_dir = session_settings(conn, session_id, fallback)
    return settings, project_dir is not None


@click.group(invoke_without_command=True)
@click.option("--session", "session_id", help="Only this session (an id or a unique prefix of one).")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document instead of tables.")
@click.pass_context
def budget(ctx: click.Context, session_id: str | None, as_json: bool) -> None:
    """Budgets of the sessions active in the last 24 hours and of today, with spend and state.

    Budgets are set in the plugin's options (userConfig) and per project in [tool.thrifty.budget] of pyproject.toml
    or [budget] of .thrifty.toml; each session is shown with the settings its hooks last used.
    """
    if ctx.invoked_subcommand is not None:
        return
    from thrifty.errors import ToolError
    from thrifty.report.budget_view import build, find_session

    with open_ledger() as conn:
        try:
            chosen = find_session(conn, session_id) if session_id else None
        except ToolError as exc:
            raise click.BadParameter(str(exc), param_hint="--session") from None
        report = build(conn, datetime.now(UTC), chosen)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    from thrifty.report.budget_table import render

    render(report)


@budget.command("raise")
@click.argument("level", type=click.Choice(LEVELS))
@click.argument("amount")
@click.option("--session", "session_id", help="The session (id or unique prefix); default: the latest active.")
@click.option("--agent", "agent_id", help="subagent only: this subagent (id or prefix); default: all of the session.")
@click.option("--tokens", is_flag=True, help="AMOUNT is tokens (2000000, 2M, 250k), not USD.")
def raise_budget(level: Level, amount: str, session_id: str | None, agent_id: str | None, tokens: bool) -> None:
    """Add AMOUNT to the LEVEL budget (session, subagent or daily); it applies from the next tool call.

    \b
    thrifty budget raise session 5                      latest session: +$5
    thrifty budget raise subagent 2 --session 5bc8 --agent a1b2
    thrifty budget raise daily 2M --tokens              today, all sessions: +2,000,000 tokens
    """
    from thrifty.errors import ToolError
    from thrifty.guard.budgets import MAIN_AGENT, add_raise, amount_text, evaluate
    from thrifty.guard.recorded import latest_settings, local_settings
    from thrifty.guard.settings import Unit, parse_tokens, parse_usd
    from thrifty.ledger.db import transaction
    from thrifty.report.budget_view import find_agent, find_session

    unit: Unit = "tokens" if tokens else "usd"
    try:
        value = float(parse_tokens(amount)) if tokens else parse_usd(amount)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="AMOUNT") from None
    if value <= 0:
        raise click.BadParameter("a raise must be more than 0", param_hint="AMOUNT")
    if level == "daily" and (session_id or agent_id):
        raise click.UsageError("the daily budget covers every session; drop --session/--agent")
    if agent_id and level != "subagent":
        raise click.UsageError("--agent only applies to the subagent budget")
    today = datetime.now().astimezone().date()
    with open_ledger() as conn:
        try:
            sid = find_session(conn, session_id) if level != "daily" else ""
            aid = find_agent(conn, sid, agent_id) if agent_id else ""
        except ToolError as exc:
            raise click.BadParameter(str(exc), param_hint="--agent" if agent_id else "--session") from None
        here = local_settings()
        settings, from_hooks = ((latest_settings(conn, here), True) if level == "daily"
                                else _settings_of(conn, sid, here))
        off = settings.limit(level, unit) <= 0
        if off and from_hooks:
            raise click.ClickException(
                f"no {level} {unit} budget is set ({level}_{unit} = 0 where the hooks run), so there is nothing to "
                "raise. Set one in the plugin's options or in [tool.thrifty.budget] of the project's pyproject.toml.")
        with transaction(conn):
            add_raise(conn, level, unit, value, session_id=sid, agent_id=aid,
                      day=today.isoformat() if level == "daily" else "")
        who = {"session": f"session {sid}", "daily": f"the day {today.isoformat()}",
               "subagent": f"subagent {aid} of session {sid}" if aid else f"every subagent of session {sid}"}[level]
        click.echo(f"Raised the {level} {'USD' if unit == 'usd' else 'token'} budget by {amount_text(unit, value)} "
                   f"for {who}; it applies from the next tool call.")
        if off:
            click.echo(f"note: this shell sees no {level}_{unit} budget and no hook has run for this session yet; "
                       "the raise applies if the hooks see one (plugin options).")
            return
        for found in evaluate(conn, settings, sid, aid or MAIN_AGENT, today, (level,)):
            if found.unit == unit and (level != "subagent" or aid):
                click.echo(f"{found.name()}: spent {amount_text(unit, found.spent)} ({found.ratio:.0%}), "
                           f"state {found.state}.")
