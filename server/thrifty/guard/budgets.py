"""The budgets that apply to one agent: each configured limit plus its raises, its spend from the ledger, its state.

Spend is what the ledger holds: token sums priced with `thrifty.ledger.pricing` (a model without a price adds
tokens but no dollars). Levels: `session` (all agents of a session), `subagent` (one subagent; the main thread has
none), `daily` (every session on this machine during the local calendar day). Standard library only.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import Literal

from thrifty.guard.settings import LEVELS, UNITS, Level, Settings, Unit
from thrifty.ledger.queries import Filters, total
from thrifty.money import SIGNIFICANT_BELOW, usd

MAIN_AGENT = "main"
State = Literal["ok", "warn", "over", "stop"]
OK: State = "ok"
WARN: State = "warn"
OVER: State = "over"
STOP: State = "stop"
SEVERITY: dict[State, int] = {OK: 0, WARN: 1, OVER: 2, STOP: 3}


class Budget:
    """One limit at one level and unit, as it stands now."""

    __slots__ = ("level", "unit", "base", "raised", "spent", "session_id", "agent_id", "day", "state")

    def __init__(self, level: Level, unit: Unit, base: float, raised: float, spent: float, session_id: str,
                 agent_id: str, day: str) -> None:
        self.level: Level = level
        self.unit: Unit = unit
        self.base, self.raised, self.spent = base, raised, spent
        self.session_id, self.agent_id, self.day = session_id, agent_id, day
        self.state: State = OK

    @property
    def limit(self) -> float:
        return self.base + self.raised

    @property
    def ratio(self) -> float:
        return self.spent / self.limit if self.limit > 0 else float("inf")

    @property
    def key(self) -> str:
        """Names this budget in `budget_notices`: a raise or a new day makes it a new budget to warn about."""
        if self.level == "subagent":
            return f"subagent:{self.agent_id}:{self.unit}"
        if self.level == "daily":
            return f"daily:{self.day}:{self.unit}"
        return f"session:{self.unit}"

    def name(self) -> str:
        """'session budget $5.00', 'subagent a1b2c3 budget 2,000,000 tokens', 'daily budget $50.00'."""
        who = f"subagent {self.agent_id[:12]}" if self.level == "subagent" else self.level
        return f"{who} budget {amount_text(self.unit, self.limit)}"

    def raise_command(self) -> str:
        """The `thrifty budget raise` line that lifts this budget: the base amount again, or, when the spend is
        already past the limit by more than that (a budget set mid-session), the overshoot plus the base."""
        amount = self.base + max(self.spent - self.limit, 0.0) if self.spent - self.limit > self.base else self.base
        text = raise_amount(amount) if self.unit == "usd" else str(math.ceil(amount))
        parts = ["thrifty budget raise", self.level, text]
        if self.unit == "tokens":
            parts.append("--tokens")
        if self.level != "daily":
            parts.append(f"--session {self.session_id}")
        if self.level == "subagent":
            parts.append(f"--agent {self.agent_id}")
        return " ".join(parts)


def amount_text(unit: str, value: float) -> str:
    return usd(value) if unit == "usd" else f"{int(value):,} tokens"


def raise_amount(amount: float) -> str:
    """A suggested raise in dollars as plain digits for the command line, rounded up at the precision `usd` shows
    (cents, or two significant digits below $0.10) so that it covers the spend: 0.00113 -> '0.0012'."""
    decimals = 2 if amount >= SIGNIFICANT_BELOW or amount <= 0 else max(2, 1 - math.floor(math.log10(amount)))
    scale = 10**decimals
    return usd(math.ceil(round(amount * scale, 6)) / scale).lstrip("$").replace(",", "")


def worst(budgets: Iterable[Budget]) -> State:
    """The most severe state among `budgets` (ok without any)."""
    state: State = OK
    for budget in budgets:
        if SEVERITY[budget.state] > SEVERITY[state]:
            state = budget.state
    return state


def state_for(ratio: float, settings: Settings) -> State:
    stop = settings["stop_percent"]
    if stop and ratio * 100 >= stop:
        return STOP
    if ratio >= 1:
        return OVER
    if ratio * 100 >= settings["warn_percent"]:
        return WARN
    return OK


def evaluate(conn: sqlite3.Connection, settings: Settings, session_id: str, agent_id: str, today: date,
             levels: tuple[Level, ...] = LEVELS) -> list[Budget]:
    """The configured budgets (of `levels`) for a call by `agent_id` in `session_id`: spend, raises and state."""
    def wanted(level: str) -> bool:
        return level in levels and any(settings.limit(level, unit) > 0 for unit in UNITS)

    scopes: list[tuple[Level, Filters]] = []
    if wanted("session"):
        scopes.append(("session", Filters(session_id=session_id)))
    if agent_id != MAIN_AGENT and wanted("subagent"):
        scopes.append(("subagent", Filters(session_id=session_id, agent_id=agent_id)))
    if wanted("daily"):
        scopes.append(("daily", Filters(since=today, until=today)))
    if not scopes:
        return []
    day = today.isoformat()
    raised = raises(conn, session_id, agent_id, day)
    budgets = []
    for level, filters in scopes:
        usage = total(conn, filters)
        spent = {"usd": usage.cost_usd or 0.0, "tokens": float(usage.total_tokens)}
        for unit in UNITS:
            base = settings.limit(level, unit)
            if base > 0:
                budget = Budget(level, unit, base, raised.get((level, unit), 0.0), spent[unit], session_id,
                                agent_id, day)
                budget.state = state_for(budget.ratio, settings)
                budgets.append(budget)
    return budgets


def raises(conn: sqlite3.Connection, session_id: str, agent_id: str, day: str) -> dict[tuple[str, str], float]:
    """(level, unit) -> the sum of raises that apply to this agent's call (a subagent raise with no agent: all)."""
    rows = conn.execute(
        """SELECT level, unit, SUM(amount) FROM budget_raises
           WHERE (level = 'session' AND session_id = ?)
              OR (level = 'subagent' AND session_id = ? AND agent_id IN ('', ?))
              OR (level = 'daily' AND day = ?)
           GROUP BY level, unit""",
        (session_id, session_id, agent_id, day),
    )
    return {(level, unit): float(amount) for level, unit, amount in rows}


def add_raise(conn: sqlite3.Connection, level: str, unit: str, amount: float, session_id: str = "",
              agent_id: str = "", day: str = "") -> None:
    """Store a raise; the next PreToolUse of the sessions it covers reads it."""
    conn.execute("INSERT INTO budget_raises (level, session_id, agent_id, day, unit, amount) VALUES (?, ?, ?, ?, ?, ?)",
                 (level, session_id, agent_id, day, unit, amount))
