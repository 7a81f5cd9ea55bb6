"""Batch results are priced at half the list price of every token kind, and count toward the daily budget."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from batch_helpers import thrifty_json, write_job
from fake_api import FakeBatches

from thrifty.commands.ledger_access import open_ledger
from thrifty.guard.budgets import evaluate
from thrifty.guard.settings import resolve
from thrifty.ledger.pricing import BATCH_SPEED, TokenSums, cost
from thrifty.ledger.queries import local_day


@pytest.mark.parametrize("model", ["claude-haiku-4-5-20251001", "claude-sonnet-4-5", "claude-haiku-5-5",
                                   "claude-opus-4-8", "us.anthropic.claude-sonnet-4-6-v1:0"])
def test_every_token_kind_costs_half_in_a_batch(model: str) -> None:
    for tokens in [(1000, 0, 0, 0, 0), (0, 1000, 0, 0, 0), (0, 0, 1000, 0, 0), (0, 0, 0, 1000, 0),
                   (0, 0, 0, 0, 1000), (150_000, 3_000, 60_000, 2_000, 90_000)]:  # the last crosses long tiers
        sums = TokenSums.of_request(tokens)
        full = cost(model, None, sums)
        assert full is not None
        assert cost(model, BATCH_SPEED, sums) == pytest.approx(full / 2)


def test_the_daily_budget_counts_a_batch_at_batch_prices(fake: FakeBatches, project: Path, tickets: Path) -> None:
    job = write_job(project)
    thrifty_json("batch", "submit", str(job))
    thrifty_json("batch", "results", "label")
    spent = thrifty_json("report", "batches")["totals"]["cost_usd"]
    settings = resolve(project, {"CLAUDE_PLUGIN_OPTION_DAILY_USD": str(round(spent * 2, 6))})
    with open_ledger(ingest=False) as conn:
        ended = conn.execute("SELECT MIN(ts) FROM turns WHERE source = 'batch'").fetchone()[0]
        day = date.fromisoformat(local_day(ended[:13]))  # the local day the batch ended (not the clock's)
        [daily] = evaluate(conn, settings, "a-session", "main", day, levels=("daily",))
    assert daily.spent == pytest.approx(spent) and daily.ratio == pytest.approx(0.5, rel=1e-4)
