"""`thrifty batch plan|submit|status|results|cancel|list`: bulk, non-urgent work at half price (Message Batches)."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import anthropic
    from pydantic import BaseModel

    from thrifty.batch.counting import Counts
    from thrifty.batch.job import Job
    from thrifty.batch.plan import Plan
    from thrifty.batch.render import Rendered
    from thrifty.batch.status import StatusReport
    from thrifty.report.table import Screen

JOB_HELP = """Bulk work that can wait, at half price through the Message Batches API.

A job is a TOML file:

\b
  model = "claude-haiku-5-5"        # default: the cheapest current model
  max_tokens = 1024                 # output per item, at most
  context = ["src/models.py#User", "docs/style.md"]  # read_many items, sent once as the cached prefix
  prompt = "Summarise this file in one line:\\n{item}"
  items = "src/**/*.py"             # project files, each read as read_many numbers it (up to item_max_tokens) ...
  # items_jsonl = "tickets.jsonl"   # ... or one item per JSONL line: {item} = the line, {field} = a field
  item_max_tokens = 4000
  # context_max_tokens = 20000; requests_per_batch = 100000

Needs ANTHROPIC_API_KEY (an API key: a Claude subscription login cannot pay for batches); ANTHROPIC_BASE_URL is
honoured. Results cost half the list price and are recorded in the ledger (`thrifty report batches`)."""


@click.group(help=JOB_HELP)
def batch() -> None:
    pass


@contextmanager
def _ledger() -> Iterator[sqlite3.Connection]:
    from thrifty.batch.errors import BatchError
    from thrifty.commands.ledger_access import open_ledger

    with open_ledger(ingest=False) as conn:
        try:
            yield conn
        except BatchError as exc:
            raise click.ClickException(str(exc)) from None


def _client() -> anthropic.Anthropic:
    from thrifty.batch.client import make_client
    from thrifty.batch.errors import BatchError

    try:
        return make_client()
    except BatchError as exc:
        raise click.ClickException(str(exc)) from None


def _emit(model: BaseModel, as_json: bool, view: Callable[..., None]) -> None:
    if as_json:
        click.echo(model.model_dump_json(indent=2))
        return
    from thrifty.report.table import Screen

    view(model, Screen())


@contextmanager
def _progress(label: str, total: int, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (only on a terminal, never with --json); yields `advance(n)`."""
    if quiet or not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _prepare(job_file: Path, quiet: bool) -> tuple[Job, Rendered, Counts, anthropic.Anthropic | None]:
    from thrifty.batch import counting
    from thrifty.batch.client import has_key
    from thrifty.batch.job import load_job
    from thrifty.batch.render import render
    from thrifty.paths import project_root

    job = load_job(job_file)
    rendered = render(job, project_root())
    countable = [i for i in rendered.items if not i.refused]
    if not has_key():
        return job, rendered, counting.estimate(rendered.context, countable), None
    client = _client()
    with _progress("counting tokens", len(countable), quiet) as advance:
        counts = counting.count(client, job.spec.model, rendered.context, countable, lambda: advance(1))
    return job, rendered, counts, client


def _plan(job: Job, rendered: Rendered, counts: Counts) -> Plan:
    from thrifty.batch.plan import build_plan, sendable
    from thrifty.batch.requests import params
    from thrifty.batch.submit import chunk

    keep, _ = sendable(rendered, counts, job)
    bodies = {i.custom_id: params(job.spec.model, job.spec.max_tokens, rendered.context, i.prompt) for i in keep}
    return build_plan(job, rendered, counts, len(chunk(keep, bodies, job.spec.requests_per_batch)))


@batch.command()
@click.argument("job_file", metavar="JOB", type=click.Path(path_type=Path))
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document.")
def plan(job_file: Path, as_json: bool) -> None:
    """Count a job's tokens (exactly with ANTHROPIC_API_KEY, else estimated) and price it three ways."""
    from thrifty.batch.errors import BatchError
    from thrifty.batch.table import plan_view

    try:
        job, rendered, counts, _ = _prepare(job_file, as_json)
    except BatchError as exc:
        raise click.ClickException(str(exc)) from None
    _emit(_plan(job, rendered, counts), as_json, plan_view)


def _default_out(job_path: str, job_name: str) -> Path:
    return Path(job_path).parent / f"{job_name}-results"


@batch.command()
@click.argument("job_file", metavar="JOB", type=click.Path(path_type=Path))
@click.option("--retry-failed", is_flag=True, help="Also send again the items whose last result (as read by "
              "`thrifty batch results`) errored, expired or was canceled.")
@click.option("--wait", is_flag=True, help="Then wait for the batches to end and read their results.")
@click.option("--out", type=click.Path(path_type=Path), help="With --wait: where results go (default: "
              "JOB-results beside the job file).")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document.")
def submit(job_file: Path, retry_failed: bool, wait: bool, out: Path | None, as_json: bool) -> None:
    """Send a job as Message Batches; items already sent are never sent again."""
    from thrifty.batch import store
    from thrifty.batch.client import NO_KEY, has_key
    from thrifty.batch.errors import BatchError
    from thrifty.batch.plan import sendable
    from thrifty.batch.submit import job_lock
    from thrifty.batch.submit import submit as send
    from thrifty.batch.table import plan_view, submit_view
    from thrifty.batch.usage import project_folder
    from thrifty.paths import data_dir, project_root

    if not has_key():
        raise click.ClickException(NO_KEY)
    if out is not None and not wait:
        raise click.BadParameter("--out goes with --wait (or use `thrifty batch results JOB --out DIR`)",
                                 param_hint="--out")
    try:
        job, rendered, counts, client = _prepare(job_file, as_json)
    except BatchError as exc:
        raise click.ClickException(str(exc)) from None
    assert client is not None
    keep, _ = sendable(rendered, counts, job)
    if not as_json:
        plan_view(_plan(job, rendered, counts), _screen())
    with _ledger() as conn:
        name = store.register_job(conn, job.name, str(job.path), project_folder(project_root()), job.spec.model)
        with job_lock(data_dir() / "batch-locks", name), _progress("submitting", len(keep), as_json) as advance:
            result = send(conn, client, name, job.spec.model, job.spec.max_tokens, rendered.context, keep,
                          job.spec.requests_per_batch, retry_failed, advance)
        if not as_json:
            submit_view(result, _screen())
        if result.error:
            if as_json:
                click.echo(result.model_dump_json(indent=2))
            raise SystemExit(1)
        if not wait:
            if as_json:
                click.echo(result.model_dump_json(indent=2))
            return
        _wait_and_read(conn, client, name, out or _default_out(str(job.path), name), as_json, result)


def _screen() -> Screen:
    from thrifty.report.table import Screen

    return Screen()


def _wait_and_read(conn: sqlite3.Connection, client: anthropic.Anthropic, job: str, out: Path, as_json: bool,
                   sent: BaseModel | None = None) -> None:
    from thrifty.batch import results, store
    from thrifty.batch import status as batch_status
    from thrifty.batch.table import results_view, status_view

    rows = store.resolve(conn, job)

    def show(statuses: list[batch_status.BatchStatus]) -> None:
        if not as_json:
            done = sum(1 for s in statuses if s.status == "ended")
            click.echo(f"{done} of {len(statuses)} batches ended", err=True)

    statuses = batch_status.wait_until_ended(conn, client, rows, time.sleep, show)
    report = results.read(conn, client, store.resolve(conn, job), out, _projects(conn))
    if as_json:
        import json

        payload = {"status": batch_status.report(statuses).model_dump(), "results": report.model_dump()}
        if sent is not None:
            payload["submit"] = sent.model_dump()
        click.echo(json.dumps(payload, indent=2))
        return
    status_view(statuses, _screen())
    results_view(report, _screen())


def _projects(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(name): str(project) for name, project in conn.execute("SELECT name, project FROM batch_jobs")}


def _status_table(report: StatusReport, screen: Screen) -> None:
    from thrifty.batch.table import status_view

    if report.batches:
        status_view(report.batches, screen)
    for note in report.notes:
        screen.note(f"note: {note}")


@batch.command()
@click.argument("ident", metavar="[ID]", required=False)
@click.option("--wait", is_flag=True, help="Poll (backing off) until every batch has ended.")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document.")
def status(ident: str | None, wait: bool, as_json: bool) -> None:
    """Status of batches: ID is a batch id, a job name or job file; default: every batch not read yet."""
    from thrifty.batch import status as batch_status
    from thrifty.batch import store

    with _ledger() as conn:
        rows = store.resolve(conn, ident)
        if ident is None:
            rows = [r for r in rows if r["results_read_at"] is None]
        if not rows:
            click.echo("No batch to follow: `thrifty batch list` shows past ones, `thrifty batch submit JOB` "
                       "sends one.")
            return
        client = _client()
        if wait:
            statuses = batch_status.wait_until_ended(conn, client, rows, time.sleep)
        else:
            statuses = batch_status.refresh(conn, client, rows)
        result = batch_status.report(statuses)

    _emit(result, as_json, _status_table)


@batch.command()
@click.argument("ident", metavar="ID")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for the results (default: JOB-results beside "
              "the job file).")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document.")
def results(ident: str, out: Path | None, as_json: bool) -> None:
    """Read ended batches' results: one file per item plus results.jsonl, usage into the ledger."""
    from thrifty.batch import results as batch_results
    from thrifty.batch import status as batch_status
    from thrifty.batch import store
    from thrifty.batch.table import results_view

    with _ledger() as conn:
        rows = store.resolve(conn, ident)
        if not rows:
            raise click.ClickException(f"{ident!r} has no batch yet: `thrifty batch submit JOB` sends it")
        client = _client()
        batch_status.refresh(conn, client, rows)
        job = store.job_row(conn, rows[0]["job"])
        assert job is not None
        target = out or _default_out(job["path"], job["name"])
        report = batch_results.read(conn, client, store.resolve(conn, ident), target, _projects(conn))
    _emit(report, as_json, results_view)


@batch.command()
@click.argument("ident", metavar="ID")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document.")
def cancel(ident: str, as_json: bool) -> None:
    """Cancel a batch, or every running batch of a job (requests already running still finish)."""
    import anthropic

    from thrifty.batch import status as batch_status
    from thrifty.batch import store
    from thrifty.batch.client import describe
    from thrifty.batch.errors import BatchError

    with _ledger() as conn:
        rows = store.resolve(conn, ident)
        client = _client()
        statuses = batch_status.refresh(conn, client, rows)
        for s in statuses:
            if s.status != "in_progress":
                continue
            try:
                store.update_status(conn, client.messages.batches.cancel(s.batch_id))
            except anthropic.AnthropicError as exc:
                raise BatchError(describe(exc, f"canceling {s.batch_id}")) from None
        result = batch_status.report(batch_status.refresh(conn, client, store.resolve(conn, ident)))
    _emit(result, as_json, _status_table)


@batch.command(name="list")
@click.option("-j", "--json", "as_json", is_flag=True, help="Print one JSON document.")
def list_batches(as_json: bool) -> None:
    """Every batch the ledger knows, as last seen (no API call)."""
    from thrifty.batch import status as batch_status
    from thrifty.batch import store

    with _ledger() as conn:
        result = batch_status.report([batch_status.of(r) for r in store.resolve(conn, None)])
        in_doubt = [r for r in store.submissions(conn) if r["state"] == "creating"]
    for row in in_doubt:
        result.notes.append(f"job {row['job']}: a submission of {row['requests']:,} requests was interrupted before "
                            "its batch id was recorded; the next `thrifty batch submit` of the job settles it")
    if not result.batches and not result.notes and not as_json:
        click.echo("No batch yet: `thrifty batch plan JOB` prices a job, `thrifty batch submit JOB` sends it.")
        return
    _emit(result, as_json, _status_table)
