"""Terminal tables of the batch lane (the report's box tables): plan, submit, status, results, report batches."""

from __future__ import annotations

from thrifty.batch.plan import Plan
from thrifty.batch.results import ResultsReport
from thrifty.batch.status import BatchStatus
from thrifty.batch.submit import SubmitResult
from thrifty.money import usd
from thrifty.report.table import Column, Screen, draw


def plan_view(plan: Plan, screen: Screen) -> None:
    screen.print(f"Job {plan.job} ({plan.path}): {plan.items:,} items on {plan.model}, max_tokens {plan.max_tokens:,}, "
                 f"{plan.batches} batch{'es' if plan.batches != 1 else ''}")
    cached = "cached" if plan.prefix_cached else "not cached"
    screen.print(f"Tokens ({plan.counts}): shared context {plan.prefix_tokens:,} ({cached}), input of all items "
                 f"{plan.input_tokens:,}, largest request {plan.largest_request_tokens:,} of "
                 f"{plan.context_window:,}")
    columns = [Column("Scenario", right=False), Column("Requests", numeric=True), Column("Input", numeric=True),
               Column("Cache Write", numeric=True, drop=2), Column("Cache Read", numeric=True, drop=2),
               Column("Output (max)", numeric=True, drop=1), Column("Input Cost"), Column("Cost (max)")]
    rows = [[r.scenario, r.requests, r.input_tokens, r.cache_write_tokens, r.cache_read_tokens, r.max_output_tokens,
             usd(r.input_cost_usd), usd(r.max_cost_usd)] for r in plan.costs]
    screen.print(draw("thrifty · batch plan", columns, rows, None, screen.width, screen.color))
    for refused in plan.refused:
        screen.print(f"refused: {refused.item}: {refused.reason}")
    for note in plan.notes:
        screen.note(f"note: {note}")


def submit_view(result: SubmitResult, screen: Screen) -> None:
    for batch in result.batches:
        how = "found after an interrupted run" if batch.adopted else "created"
        screen.print(f"{batch.batch_id}: {batch.requests:,} requests ({how})")
    line = f"Job {result.job}: sent {result.sent:,} items"
    if result.retried:
        line += f" ({result.retried:,} of them again after a failure)"
    if result.already_sent:
        line += f"; {result.already_sent:,} already sent before, not sent again"
    screen.print(line)
    if result.error:
        screen.print(f"error: {result.error}")
        screen.print(f"{result.left:,} items are left to send: run the same `thrifty batch submit` again later "
                     "(nothing is sent twice)")
    elif result.sent or result.batches:
        screen.note("next: `thrifty batch status` to follow them, `thrifty batch results JOB` when they end")


def status_view(statuses: list[BatchStatus], screen: Screen) -> None:
    columns = [Column("Batch", right=False), Column("Job", right=False), Column("Status", right=False),
               Column("Requests", numeric=True), Column("Succeeded", numeric=True), Column("Errored", numeric=True),
               Column("Expired", numeric=True, drop=1), Column("Canceled", numeric=True, drop=1),
               Column("Processing", numeric=True), Column("Expires / Ended", right=False, drop=2)]
    rows = [[s.batch_id, s.job, s.status + (", read" if s.results_read else ""), s.requests, s.succeeded, s.errored,
             s.expired, s.canceled, s.processing, ((s.ended_at or s.expires_at) or "")[:16]] for s in statuses]
    screen.print(draw("thrifty · batches", columns, rows, None, screen.width, screen.color))


def results_view(report: ResultsReport, screen: Screen) -> None:
    screen.print(f"{report.succeeded:,} results in {report.out} (one file per item, results.jsonl); "
                 f"{report.turns_recorded:,} new turns in the ledger")
    for failed in report.failed:
        screen.print(f"{failed.result}: {failed.item} ({failed.custom_id})" + (f": {failed.error}" if failed.error
                                                                               else ""))
    for note in report.notes:
        screen.note(f"note: {note}")
