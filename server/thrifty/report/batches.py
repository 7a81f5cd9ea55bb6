"""`thrifty report batches`: each Message Batch of `thrifty batch` with its outcome and the usage its results recorded.

Reads the batch lane's tables (migration m003) and the `turns` its results wrote (`source` = 'batch', `request_id`
= the batch id), priced like every turn (`speed` = 'batch': half the list price).
"""

from __future__ import annotations

import sqlite3

from thrifty.ledger.queries import Filters, Usage, combined, token_sums_sql
from thrifty.report.models import BatchesReport, BatchRow, BatchTotals


def batches_report(conn: sqlite3.Connection, filters: Filters) -> BatchesReport:
    """Created batches (oldest first) of the jobs in `filters.project` (all when None); dates select by creation."""
    where, params = filters.sql()
    usage_by_batch: dict[str, Usage] = {}
    sql = (f"SELECT request_id, model, speed, {token_sums_sql(prompt_tier=True)} FROM turns{where}"
           f"{' AND' if where else ' WHERE'} source = 'batch' GROUP BY request_id, model, speed")
    for row in conn.execute(sql, params):
        usage_by_batch.setdefault(row[0], Usage()).add(row[1], row[2], row[3:])
    clauses, args = ["s.batch_id IS NOT NULL"], []
    if filters.project is not None:
        clauses.append("j.project = ?")
        args.append(filters.project)
    if filters.session_id is not None:
        clauses.append("'batch:' || s.job = ?")
        args.append(filters.session_id)
    rows = conn.execute(
        f"""SELECT s.batch_id, s.job, s.model, s.processing_status, s.requests,
                   (SELECT COUNT(*) FROM batch_requests r WHERE r.submission_id = s.id AND r.result = 'succeeded'),
                   (SELECT COUNT(*) FROM batch_requests r WHERE r.submission_id = s.id
                        AND r.result IN ('errored', 'expired', 'canceled')),
                   s.created_at, s.succeeded, s.errored + s.expired + s.canceled
            FROM batch_submissions s JOIN batch_jobs j ON j.name = s.job
            WHERE {' AND '.join(clauses)} ORDER BY s.id""", args).fetchall()
    out = []
    for batch_id, job, model, status, items, ok, bad, created, api_ok, api_bad in rows:
        if where and batch_id not in usage_by_batch:
            continue  # outside the dates asked for
        usage = usage_by_batch.get(batch_id, Usage())
        out.append(BatchRow(
            batch_id=batch_id, job=job, model=model, status=status, items=items, succeeded=max(ok, api_ok),
            errored=max(bad, api_bad), input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
            cache_creation_tokens=usage.cache_creation_tokens, cache_read_tokens=usage.cache_read_tokens,
            cost_usd=usage.cost_usd if usage.turns else 0.0, created_at=created))
    total = combined(usage_by_batch[r.batch_id] for r in out if r.batch_id in usage_by_batch)
    totals = BatchTotals(items=sum(r.items for r in out), succeeded=sum(r.succeeded for r in out),
                         errored=sum(r.errored for r in out), input_tokens=total.input_tokens,
                         output_tokens=total.output_tokens, cache_creation_tokens=total.cache_creation_tokens,
                         cache_read_tokens=total.cache_read_tokens, cost_usd=total.cost_usd if total.turns else 0.0)
    notes = []
    unread = [r.batch_id for r in out if r.status == "ended" and r.succeeded and not r.input_tokens]
    if unread:
        notes.append(f"{len(unread)} ended batch{'es' if len(unread) != 1 else ''} not read yet: their usage is "
                     "recorded by `thrifty batch results`")
    if total.unpriced_models:
        notes.append("no price known for " + ", ".join(total.unpriced_models) + ": not in cost_usd")
    return BatchesReport(batches=out, totals=totals, notes=notes)
