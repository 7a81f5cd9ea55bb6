"""High-water marks of what was already sent to a target, and the cached team spend; standard library only.

A mark only moves forward and only after the target confirmed the rows (PostgreSQL committed, the collector
answered 2xx), so a failed or interrupted run sends the same rows again next time and the target's keys absorb them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Marks:
    turns_id: int = 0
    changes_seq: int = 0
    tool_calls_id: int = 0
    refusals_id: int = 0


def read_marks(conn: sqlite3.Connection, target: str) -> Marks:
    row = conn.execute("SELECT turns_id, changes_seq, tool_calls_id, refusals_id FROM export_marks WHERE target = ?",
                       (target,)).fetchone()
    return Marks(*row) if row else Marks()


def write_marks(conn: sqlite3.Connection, target: str, marks: Marks) -> None:
    """Store `marks`, never moving one back (two runs racing each store what they sent; the larger wins)."""
    conn.execute(
        """INSERT INTO export_marks (target, turns_id, changes_seq, tool_calls_id, refusals_id) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (target) DO UPDATE SET turns_id = MAX(turns_id, excluded.turns_id),
               changes_seq = MAX(changes_seq, excluded.changes_seq),
               tool_calls_id = MAX(tool_calls_id, excluded.tool_calls_id),
               refusals_id = MAX(refusals_id, excluded.refusals_id),
               updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')""",
        (target, marks.turns_id, marks.changes_seq, marks.tool_calls_id, marks.refusals_id),
    )


def current_marks(conn: sqlite3.Connection) -> Marks:
    """The ledger's newest ids now: what a run that reads everything up to here may mark as sent."""
    def top(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0] or 0)

    return Marks(top("SELECT MAX(id) FROM turns"), top("SELECT MAX(seq) FROM turn_changes"),
                 top("SELECT MAX(id) FROM tool_calls"), top("SELECT MAX(id) FROM refusals"))


@dataclass(frozen=True)
class TeamSpend:
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
