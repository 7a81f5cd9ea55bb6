"""`thrifty export otlp`: send the ledger's new usage to an OpenTelemetry collector over OTLP/HTTP."""

from __future__ import annotations

import json

import click


@click.group()
def export() -> None:
    """Export the ledger to other systems."""


@export.command()
@click.option("--endpoint", help="OTLP/HTTP base URL, e.g. http://collector:4318 (default: the otlp_endpoint "
                                 "setting); /v1/metrics is added.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=300), default=10.0, show_default=True,
              help="Seconds to wait for the collector per request.")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print the outcome as one JSON document.")
def otlp(endpoint: str | None, timeout: float, as_json: bool) -> None:
    """Token usage, cost and refusals since the last export, as OTLP metrics (thrifty.token.usage,
    thrifty.cost.usage, thrifty.tokens.avoided, thrifty.budget.refusals) with session.id, model and agent.type.

    Only what was not sent to this endpoint before is sent; a second run sends nothing.
    """
    from thrifty.commands.ledger_access import open_ledger
    from thrifty.guard.settings import parse_endpoint, resolve
    from thrifty.paths import project_root
    from thrifty.team.deps import MissingExtra
    from thrifty.team.otlp import ExportError, export, metrics_url
    from thrifty.team.spawn import job_lock

    try:
        url = parse_endpoint(endpoint) if endpoint else str(resolve(project_root())["otlp_endpoint"])
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--endpoint") from None
    if not url:
        raise click.UsageError("no collector: pass --endpoint http://collector:4318 or set otlp_endpoint")
    with job_lock(), open_ledger() as ledger:
        try:
            result = export(ledger, url, timeout)
        except (ExportError, MissingExtra) as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"endpoint": metrics_url(url), **vars(result)}, indent=2))
    elif not result.batches:
        click.echo(f"nothing new to export to {metrics_url(url)}")
    else:
        click.echo(f"exported to {metrics_url(url)}: {result.turns:,} turns, {result.token_changes:,} token changes, "
                   f"{result.refusals:,} refusals in {result.batches} request{'s' if result.batches != 1 else ''}")
