"""High-water marks of what was already sent to a target (a team database, an OTLP endpoint); standard library only.

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
    savings_id: int = 0  # `savings` rowid, for the OTLP export only


def read_marks(conn: sqlite3.Connection, target: str) -> Marks:
    row = conn.execute(
        "SELECT turns_id, changes_seq, tool_calls_id, refusals_id, savings_id FROM export_marks WHERE target = ?",
        (target,)).fetchone()
    return Marks(*row) if row else Marks()


def write_marks(conn: sqlite3.Connection, target: str, marks: Marks) -> None:
    """Store `marks`, never moving one back (two runs racing each store what they sent; the larger wins)."""
    conn.execute(
        """INSERT INTO export_marks (target, turns_id, changes_seq, tool_calls_id, refusals_id, savings_id)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (target) DO UPDATE SET turns_id = MAX(turns_id, excluded.turns_id),
               changes_seq = MAX(changes_seq, excluded.changes_seq),
               tool_calls_id = MAX(tool_calls_id, excluded.tool_calls_id),
               refusals_id = MAX(refusals_id, excluded.refusals_id),
               savings_id = MAX(savings_id, excluded.savings_id),
               updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')""",
        (target, marks.turns_id, marks.changes_seq, marks.tool_calls_id, marks.refusals_id, marks.savings_id),
    )


def current_marks(conn: sqlite3.Connection) -> Marks:
    """The ledger's newest ids now: what a run that reads everything up to here may mark as sent."""
    def top(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0] or 0)

    return Marks(top("SELECT MAX(id) FROM turns"), top("SELECT MAX(seq) FROM turn_changes"),
                 top("SELECT MAX(id) FROM tool_calls"), top("SELECT MAX(id) FROM refusals"),
                 top("SELECT MAX(rowid) FROM savings"))
