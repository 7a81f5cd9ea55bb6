"""`thrifty sync`: push this machine's ledger to the team's PostgreSQL (what the Stop hook does in the background)."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--db", help="PostgreSQL URL (default: the team_db setting). Keep the password in PGPASSWORD or "
                           "~/.pgpass rather than on the command line.")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print the outcome as one JSON document.")
def sync(db: str | None, as_json: bool) -> None:
    """Send this machine's new turns, tool calls and agents to the team database, tagged with user and host.

    Incremental and idempotent: rows are keyed like the local de-duplication (message id + request id), so a
    second run adds nothing and several machines may sync at once. Afterwards the other machines' spend today is
    cached locally for the team budgets (team_daily_usd, team_daily_tokens).
    """
    from thrifty.commands.ledger_access import open_ledger
    from thrifty.commands.team_access import team_url
    from thrifty.dburl import redact
    from thrifty.money import usd
    from thrifty.team.deps import MissingExtra
    from thrifty.team.identity import host_name, user_name
    from thrifty.team.pg import TeamDbError
    from thrifty.team.service import sync_now
    from thrifty.team.spawn import job_lock

    url = team_url(db)
    with job_lock(), open_ledger() as ledger:
        try:
            result, spend = sync_now(ledger, url)
        except (TeamDbError, MissingExtra) as exc:
            raise click.ClickException(str(exc)) from None
    out = {"database": redact(url), "user": user_name(), "host": host_name(), **vars(result),
           "others_today": {"day": spend.day, "usd": spend.usd, "tokens": spend.tokens, "machines": spend.machines}}
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"synced to {out['database']} as {out['user']}@{out['host']}: {result.turns_sent:,} turns sent "
               f"({result.turns_added:,} new, {result.turns_updated:,} updated), {result.tool_calls_sent:,} tool "
               f"calls ({result.tool_calls_added:,} new), {result.agents_sent:,} agents")
    click.echo(f"other machines today ({spend.day}): {usd(spend.usd)}, {spend.tokens:,} tokens on "
               f"{spend.machines} machine{'s' if spend.machines != 1 else ''}")
