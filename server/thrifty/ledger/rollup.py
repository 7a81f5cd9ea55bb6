"""`spend_buckets`: the turns' token sums per session, UTC quarter hour, model and speed (standard library only).

Two reads that ran over every turn read this instead: a day's spend (every PreToolUse with a daily budget, the
status line, watch) and the per-session report, the view scripts and status lines poll. Local midnight falls on a
UTC quarter hour in every time zone in use. A row also keeps its turns' first and last `ts`, so a session's span
is exact too.

Updates and deletes of turns are rolled up by triggers, row by row. Inserts are not: every writer inserts inside
`bulk_insert`, which adds the new rows in one grouped statement (a per-row trigger made a first ingest of 137 MB
about 10% slower). A test checks that every module inserting into `turns` uses it. No writer uses INSERT OR
REPLACE on `turns`: its implicit deletes bypass delete triggers.

The long-context tier thresholds are those of `pricing` when m008 shipped (200,000 per field, 100,000 per
prompt); changing them needs a migration that rebuilds the table. A test compares the rollup with the turns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator
from contextlib import contextmanager

FIELDS = ("input_tokens", "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens")
# The 15 sums `queries.Usage.add` reads: plain, above the per-field tier, within long prompts.
COLUMNS = (*FIELDS, *(f"{f}_above_field_tier" for f in FIELDS), *(f"{f}_in_long_prompts" for f in FIELDS))
KEY = ("session_id", "project", "bucket", "model", "speed")


def bucket(ts: str) -> str:
    """The bucket of a `ts` on a quarter hour: 'YYYY-MM-DDTHH:' and the quarter's digit (what `_key` computes)."""
    return f"{ts[:14]}{int(ts[14:16]) // 15}"


def _key(row: str) -> list[str]:
    """KEY's values for the turn `row` (NEW, OLD or a table alias); '' for no model or speed."""
    return [f"{row}.session_id", f"{row}.project",
            f"substr({row}.ts, 1, 14) || (CAST(substr({row}.ts, 15, 2) AS INTEGER) / 15)",
            f"IFNULL({row}.model, '')", f"IFNULL({row}.speed, '')"]


def _prompt(row: str) -> str:
    return " + ".join(f"{row}.{f}" for f in FIELDS if f != "output_tokens")


def _values(row: str) -> list[str]:
    """The 15 values of COLUMNS for the turn `row`."""
    return ([f"{row}.{f}" for f in FIELDS]
            + [f"MAX({row}.{f} - 200000, 0)" for f in FIELDS]
            + [f"CASE WHEN {_prompt(row)} > 100000 THEN {row}.{f} ELSE 0 END" for f in FIELDS])


# Where a turn's tier values are not all zero: a field above 200,000 implies a prompt above 100,000.
_ABOVE_A_TIER = f"({_prompt('turns')} > 100000 OR turns.output_tokens > 200000)"


_INSERT = f"INSERT INTO spend_buckets ({', '.join(KEY)}, turns, first_ts, last_ts, {', '.join(COLUMNS)})"
_UPSERT = (f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET turns = turns + excluded.turns, "
           "first_ts = MIN(IFNULL(first_ts, excluded.first_ts), excluded.first_ts), "
           "last_ts = MAX(IFNULL(last_ts, excluded.last_ts), excluded.last_ts), "
           + ", ".join(f"{c} = {c} + excluded.{c}" for c in COLUMNS))


def _add_one(row: str) -> str:
    return f"{_INSERT} VALUES ({', '.join([*_key(row), '1', f'{row}.ts', f'{row}.ts', *_values(row)])}) {_UPSERT};"


def _remove_one(row: str) -> str:
    """Take the turn `row` out of its bucket; the span is found again among the bucket's remaining turns."""
    match = " AND ".join(f"{mine} = {theirs}" for mine, theirs in zip(_key("t"), _key(row), strict=True))
    span = f"FROM turns t WHERE {match}"  # t.session_id first: turns_session serves it
    where = " AND ".join(f"{column} = {value}" for column, value in zip(KEY, _key(row), strict=True))
    update = ", ".join(["turns = turns - 1", f"first_ts = (SELECT MIN(t.ts) {span})",
                        f"last_ts = (SELECT MAX(t.ts) {span})",
                        *(f"{c} = {c} - {v}" for c, v in zip(COLUMNS, _values(row), strict=True))])
    return f"UPDATE spend_buckets SET {update} WHERE {where};"


def _add_rows(condition: str) -> tuple[str, ...]:
    """Add the turns matching `condition` (SQL over `turns`), grouped: one upsert per KEY.

    Two statements: the counts and plain sums of every turn, then the tier values of the few turns that have any
    (summing 15 columns over every turn took half again as long).
    """
    values = _values("turns")
    plain = ", ".join([*(f"SUM({v})" for v in values[:5]), *("0" for _ in values[5:])])
    tiers = ", ".join([*("0" for _ in values[:5]), *(f"SUM({v})" for v in values[5:])])
    # WHERE true: a SELECT before ON CONFLICT needs a clause so the parser does not read ON as a join's.
    return tuple(f"{_INSERT} SELECT * FROM (SELECT {', '.join(_key('turns'))}, {count}, MIN(ts), MAX(ts), {sums} "
                 f"FROM turns WHERE {where} GROUP BY 1, 2, 3, 4, 5) WHERE true {_UPSERT}"
                 for count, sums, where in (("COUNT(*)", plain, condition),
                                            ("0", tiers, f"({condition}) AND {_ABOVE_A_TIER}")))


def install(conn: sqlite3.Connection) -> None:
    """Create the table and its triggers, and roll up the turns already there."""
    sums = ", ".join(f"{c} INTEGER NOT NULL" for c in COLUMNS)
    conn.execute(f"""CREATE TABLE spend_buckets (
        session_id TEXT NOT NULL, project TEXT NOT NULL, bucket TEXT NOT NULL, model TEXT NOT NULL,
        speed TEXT NOT NULL, turns INTEGER NOT NULL, first_ts TEXT, last_ts TEXT, {sums},
        PRIMARY KEY ({', '.join(KEY)})) WITHOUT ROWID""")
    conn.execute("CREATE INDEX spend_buckets_bucket ON spend_buckets(bucket)")
    conn.execute(f"CREATE TRIGGER spend_buckets_delete AFTER DELETE ON turns BEGIN {_remove_one('OLD')} END")
    watched = ("session_id", "project", "ts", "model", "speed", *FIELDS)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
    conn.execute(f"CREATE TRIGGER spend_buckets_update AFTER UPDATE OF {', '.join(watched)} ON turns WHEN {changed} "
                 f"BEGIN {_remove_one('OLD')} {_add_one('NEW')} END")
    for statement in _add_rows("true"):
        conn.execute(statement)


@contextmanager
def bulk_insert(conn: sqlite3.Connection) -> Generator[None]:
    """Inside a write transaction: the turns inserted in the block are rolled up at its end, grouped.

    Only inserts belong in the block: new rows are those above the largest id at its start, which a delete of the
    last rows would let an insert reuse.
    """
    last = conn.execute("SELECT IFNULL(MAX(id), 0) FROM turns").fetchone()[0]
    yield
    for statement in _add_rows("id > ?"):
        conn.execute(statement, (last,))
