"""Refresh the cache of the other machines' spend today that team budgets read (after every sync)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from typing import Any

from thrifty.guard.team_spend import TeamSpend, write_team_spend
from thrifty.ledger.queries import Filters, total
from thrifty.ledger.transaction import transaction
from thrifty.team.mirror import load


def refresh(ledger: sqlite3.Connection, pg: Any, target: str, user: str, host: str, today: date) -> TeamSpend:
    mem = load(pg, Filters(since=today, until=today), exclude=(user, host), tool_calls=False)
    try:
        usage = total(mem)
        machines = mem.execute("SELECT COUNT(DISTINCT user_name || '@' || host) FROM turns").fetchone()[0]
    finally:
        mem.close()
    spend = TeamSpend(today.isoformat(), usage.cost_usd or 0.0, usage.total_tokens, int(machines),
                      datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z")
    with transaction(ledger):
        write_team_spend(ledger, target, spend)
    return spend
