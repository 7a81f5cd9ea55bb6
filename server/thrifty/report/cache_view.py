"""The `cache-misses` report view: the misses `cache_misses` finds, shaped into the report schema with totals by
cause."""

from __future__ import annotations

import sqlite3

from thrifty.ledger import queries
from thrifty.ledger.queries import Filters
from thrifty.report import cache_misses
from thrifty.report.models import CacheMissesReport, CacheMissRow, CacheMissTotals


def miss_row(miss: cache_misses.CacheMiss) -> CacheMissRow:
    data = miss.as_dict()
    data.pop("ttl_seconds")
    return CacheMissRow.model_validate(data)


def cache_misses_report(conn: sqlite3.Connection, filters: Filters) -> CacheMissesReport:
    """Every cache miss the filters select, newest first, with totals by cause (the `cache-misses` report view)."""
    rows = [miss_row(m) for m in cache_misses.find(conn, filters)]
    by_cause: dict[str, CacheMissTotals] = {}
    for row in rows:
        bucket = by_cause.setdefault(row.cause, CacheMissTotals())
        bucket.misses += 1
        bucket.rewritten_tokens += row.rewritten_tokens
        bucket.extra_cost_usd += row.extra_cost_usd or 0.0
    examined = queries.total(conn, filters).turns
    totals = CacheMissTotals(misses=len(rows), rewritten_tokens=sum(r.rewritten_tokens for r in rows),
                             extra_cost_usd=sum(r.extra_cost_usd or 0.0 for r in rows), turns=examined)
    return CacheMissesReport(cache_misses=rows, by_cause=by_cause, totals=totals)
