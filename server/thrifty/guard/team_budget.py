"""Team budgets (`team_daily_usd`, `team_daily_tokens`): this machine's spend today, live from the ledger, plus the
other machines' spend today as the last team sync cached it (`team_spend`). No network on this path: the figure
for the others is as old as the last sync, and every message says so. Standard library only.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, date, datetime

from thrifty.guard.budgets import Budget, amount_text, state_for
from thrifty.guard.settings import TEAM_LEVEL, UNITS, Settings, Unit
from thrifty.guard.team_spend import TeamSpend, read_team_spend
from thrifty.ledger.queries import Filters, total


class TeamBudget(Budget):
    """A team daily budget; `freshness` says how old the other machines' share of `spent` is."""

    __slots__ = ("freshness",)

    def __init__(self, unit: Unit, base: float, spent: float, session_id: str, day: str, freshness: str) -> None:
        super().__init__(TEAM_LEVEL, unit, base, 0.0, spent, session_id, "", day)
        self.freshness = freshness

    @property
    def key(self) -> str:
        return f"team:{self.day}:{self.unit}"

    def name(self) -> str:
        return f"team daily budget {amount_text(self.unit, self.limit)} ({self.freshness})"

    def raise_command(self) -> str:
        amount = max(self.limit, self.spent) + self.base
        text = f"{math.ceil(amount * 100) / 100:g}" if self.unit == "usd" else str(math.ceil(amount))
        return f"team_daily_{self.unit} = {text}"  # a team setting: there is no local raise


def freshness(cached: TeamSpend | None, today: date, now: datetime) -> str:
    if cached is None:
        return "no team sync yet: only this machine's spend is counted"
    if cached.day != today.isoformat():
        return "no team sync today yet: only this machine's spend is counted"
    synced = datetime.fromisoformat(cached.synced_at.replace("Z", "+00:00"))
    minutes = max(0, int((now - synced).total_seconds() // 60))
    age = "under a minute" if minutes == 0 else f"{minutes} min"
    machines = f"{cached.machines} other machine{'s' if cached.machines != 1 else ''}"
    return f"{machines} as of the team sync {age} ago; stale by at most one sync"


def team_budgets(conn: sqlite3.Connection, settings: Settings, session_id: str, today: date,
                 now: datetime | None = None) -> list[TeamBudget]:
    limits: dict[Unit, float] = {unit: settings.limit(TEAM_LEVEL, unit) for unit in UNITS}
    if not any(limit > 0 for limit in limits.values()) or not settings["team_db"]:
        return []
    from thrifty.dburl import target_key  # urllib: imported only when a team budget is set

    cached = read_team_spend(conn, target_key(settings["team_db"]))
    others = cached if cached is not None and cached.day == today.isoformat() else None
    mine = total(conn, Filters(since=today, until=today))
    spent = {"usd": (mine.cost_usd or 0.0) + (others.usd if others else 0.0),
             "tokens": float(mine.total_tokens + (others.tokens if others else 0))}
    note = freshness(cached, today, now or datetime.now(UTC))
    budgets = []
    for unit, base in limits.items():
        if base > 0:
            budget = TeamBudget(unit, base, spent[unit], session_id, today.isoformat(), note)
            budget.state = state_for(budget.ratio, settings)
            budgets.append(budget)
    return budgets
