"""The cached spend of the team's other machines that team budgets read; standard library only (PreToolUse).

Written by the team sync after each run (`thrifty.team.spend`), one row per team database (`dburl.target_key`).
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple  # not dataclasses: its import alone would cost PreToolUse tens of milliseconds


class TeamSpend(NamedTuple):
    """The other machines' spend on `day` as of the sync at `synced_at` (UTC ISO 8601)."""

    day: str
    usd: float
    tokens: int
    machines: int
    synced_at: str


def read_team_spend(conn: sqlite3.Connection, target: str) -> TeamSpend | None:
    row = conn.execute("SELECT day, usd, tokens, machines, synced_at FROM team_spend WHERE target = ?",
                       (target,)).fetchone()
    return TeamSpend(str(row[0]), float(row[1]), int(row[2]), int(row[3]), str(row[4])) if row else None


def write_team_spend(conn: sqlite3.Connection, target: str, spend: TeamSpend) -> None:
    conn.execute(
        """INSERT INTO team_spend (target, day, usd, tokens, machines, synced_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (target) DO UPDATE SET day = excluded.day, usd = excluded.usd, tokens = excluded.tokens,
               machines = excluded.machines, synced_at = excluded.synced_at""",
        (target, spend.day, spend.usd, spend.tokens, spend.machines, spend.synced_at),
    )
