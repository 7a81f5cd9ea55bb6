"""`thrifty report html`: build the overview, write the page atomically, say where it is."""

from __future__ import annotations

import webbrowser
from datetime import datetime
from pathlib import Path

import click

from thrifty.ledger.queries import Filters
from thrifty.paths import write_atomic


def write_html(filters: Filters, output: Path, open_page: bool, as_json: bool) -> None:
    from thrifty.commands.ledger_access import open_ledger
    from thrifty.report.html import render
    from thrifty.report.overview import build_overview

    with open_ledger() as conn:
        overview = build_overview(conn, filters, datetime.now().astimezone())
    if as_json:
        click.echo(overview.model_dump_json(indent=2))
        return
    page = render(overview)
    target = output.expanduser().absolute()
    try:
        write_atomic(target, page)
    except OSError as exc:
        raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}. Pick another file with -o."
                                   ) from None
    sessions = len(overview.sessions.sessions)
    size_mb = len(page.encode()) / 1e6
    click.echo(f"wrote {target} ({size_mb:.2f} MB, {sessions:,} session{'s' if sessions != 1 else ''})")
    if open_page and not webbrowser.open(target.as_uri()):
        click.echo(f"no browser found; open {target.as_uri()} yourself")
