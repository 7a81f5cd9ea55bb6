"""`spend_buckets`: the turns' token sums per session, UTC quarter hour, model and speed (standard library only).

Two reads that ran over every turn read this instead: a day's spend (every PreToolUse with a daily budget, the
status line, watch) and the per-session report, the view scripts and status lines poll. Local midnight falls on a
UTC quarter hour in every time zone in use. A row also keeps its turns' first and last `ts`, so a session's span
is exact too.

`spend_rollup_mark.last_id` is the highest turn id rolled up. Turns above it are pending: readers add them from
`turns` (`pending`), so a read is exact whoever wrote them, an older version still running in a session started
before an update included. Writers roll pending turns up after they insert (`catch_up`, one grouped statement; a
per-row insert trigger, even one that does nothing, cost a first ingest of 137 MB 7 to 10%). Updates and
deletes of rolled-up turns are kept by triggers. No writer uses INSERT OR REPLACE on `turns`: its implicit deletes
bypass delete triggers; and no writer changes a turn's id.

The long-context tier thresholds are those of `pricing` when m008 shipped (200,000 per field, 100,000 per
prompt). m008 runs `install`, so its SQL is frozen like a migration (a test holds its hash): a change, thresholds
included, goes in a new migration that rebuilds the table. Tests compare the rollup with the turns.
"""

from __future__ import annotations

import sqlite3

FIELDS = ("input_tokens", "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens")
# The 15 sums `queries.Usage.add` reads: plain, above the per-field tier, within long prompts.
COLUMNS = (*FIELDS, *(f"{f}_above_field_tier" for f in FIELDS), *(f"{f}_in_long_prompts" for f in FIELDS))
KEY = ("session_id", "project", "bucket", "model", "speed")
# spend_buckets' columns, in order: what `pending` gives too
ROW = (*KEY, "turns", "first_ts", "last_ts", *COLUMNS)
_MARK = "(SELECT last_id FROM spend_rollup_mark)"


def bucket(ts: str) -> str:
    """The bucket of a `ts` on a quarter hour: 'YYYY-MM-DDTHH:' and the quarter's digit (what `_key` computes)."""
    return f"{ts[:14]}{int(ts[14:16]) // 15}"


def _quarter(row: str) -> str:
    return f"(CAST(substr({row}.ts, 15, 2) AS INTEGER) / 15)"


def _key(row: str) -> list[str]:
    """KEY's values for the turn `row` (NEW, OLD or a table alias); '' for no model or speed."""
    return [f"{row}.session_id", f"{row}.project", f"substr({row}.ts, 1, 14) || {_quarter(row)}",
            f"IFNULL({row}.model, '')", f"IFNULL({row}.speed, '')"]


def _bucket_span(row: str) -> tuple[str, str]:
    """The `ts` bounds [start, end) of the turn `row`'s quarter hour ('…T23:60' ends the last: no ts reaches it)."""
    hour = f"substr({row}.ts, 1, 14)"
    return f"{hour} || printf('%02d', {_quarter(row)} * 15)", f"{hour} || printf('%02d', {_quarter(row)} * 15 + 15)"


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


def _remove_one(row: str, guard: str = "") -> str:
    """Take the turn `row` out of its bucket (when `guard`, SQL, also holds); the span is found again among the
    bucket's remaining turns."""
    start, end = _bucket_span(row)
    _, _, _, model, speed = _key(row)
    # session and ts range first: turns_session (session_id, ts) serves them; pending turns are not in the bucket
    span = (f"FROM turns t WHERE t.session_id = {row}.session_id AND t.ts >= {start} AND t.ts < {end} "
            f"AND t.project = {row}.project AND IFNULL(t.model, '') = {model} AND IFNULL(t.speed, '') = {speed} "
            f"AND t.id <= {_MARK}")
    where = " AND ".join([*(f"{column} = {value}" for column, value in zip(KEY, _key(row), strict=True)),
                          *([guard] if guard else [])])
    update = ", ".join(["turns = turns - 1", f"first_ts = (SELECT MIN(t.ts) {span})",
                        f"last_ts = (SELECT MAX(t.ts) {span})",
                        *(f"{c} = {c} - {v}" for c, v in zip(COLUMNS, _values(row), strict=True))])
    return f"UPDATE spend_buckets SET {update} WHERE {where};"


def _grouped(condition: str, count: str = "COUNT(*)", values: list[str] | None = None) -> str:
    """The turns matching `condition`, one row per KEY in ROW's layout."""
    sums = ", ".join(f"SUM({v})" if v != "0" else "0" for v in (values or _values("turns")))
    # NOT INDEXED: the conditions include an id range, which the rowid serves; left to choose, SQLite took a
    # project or day index and read every turn of it.
    return (f"SELECT {', '.join(_key('turns'))}, {count}, MIN(ts), MAX(ts), {sums} FROM turns NOT INDEXED "
            f"WHERE {condition} GROUP BY 1, 2, 3, 4, 5")


def pending(condition: str) -> str:
    """A SELECT of the turns above the mark that match `condition` (SQL over `turns`), in ROW's layout."""
    return _grouped(f"turns.id > {_MARK} AND ({condition})")


def catch_up(conn: sqlite3.Connection) -> None:
    """Roll up the pending turns and move the mark past them; inside the writer's transaction, after its inserts.

    Two statements: the counts and plain sums of every turn, then the tier values of the few turns that have any
    (summing 15 columns over every turn took half again as long).
    """
    last = conn.execute("SELECT MAX(id) FROM turns").fetchone()[0]
    if last is None or last <= conn.execute("SELECT last_id FROM spend_rollup_mark").fetchone()[0]:
        return
    values = _values("turns")
    plain, tiers = [*values[:5], *("0" for _ in values[5:])], [*("0" for _ in values[:5]), *values[5:]]
    for condition, count, sums in ((f"id > {_MARK} AND id <= ?", "COUNT(*)", plain),
                                   (f"id > {_MARK} AND id <= ? AND {_ABOVE_A_TIER}", "0", tiers)):
        # WHERE true: a SELECT before ON CONFLICT needs a clause so the parser does not read ON as a join's.
        conn.execute(f"{_INSERT} SELECT * FROM ({_grouped(condition, count, sums)}) WHERE true {_UPSERT}", (last,))
    conn.execute("UPDATE spend_rollup_mark SET last_id = ?", (last,))


def install(conn: sqlite3.Connection) -> None:
    """Create the table, its mark and triggers, and roll up the turns already there."""
    sums = ", ".join(f"{c} INTEGER NOT NULL" for c in COLUMNS)
    conn.execute(f"""CREATE TABLE spend_buckets (
        session_id TEXT NOT NULL, project TEXT NOT NULL, bucket TEXT NOT NULL, model TEXT NOT NULL,
        speed TEXT NOT NULL, turns INTEGER NOT NULL, first_ts TEXT, last_ts TEXT, {sums},
        PRIMARY KEY ({', '.join(KEY)})) WITHOUT ROWID""")
    conn.execute("CREATE INDEX spend_buckets_bucket ON spend_buckets(bucket)")
    conn.execute("CREATE TABLE spend_rollup_mark (one INTEGER PRIMARY KEY CHECK (one = 1), last_id INTEGER NOT NULL)")
    conn.execute("INSERT INTO spend_rollup_mark VALUES (1, 0)")
    rolled = f"OLD.id <= {_MARK}"  # a pending turn is read from `turns` as it is, and rolled up as it is then
    # Deleting the newest turns, rolled up or pending, lets SQLite give their ids to the next inserts: the mark comes
    # down to the newest id left, or those would pass for rolled up. In one trigger, after the bucket's update, so
    # the guard sees the mark as it was.
    newest = "(SELECT IFNULL(MAX(id), 0) FROM turns)"
    conn.execute(f"CREATE TRIGGER spend_buckets_delete AFTER DELETE ON turns "
                 f"BEGIN {_remove_one('OLD', rolled)} "
                 f"UPDATE spend_rollup_mark SET last_id = {newest} WHERE last_id > {newest}; END")
    watched = ("session_id", "project", "ts", "model", "speed", *FIELDS)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
    conn.execute(f"CREATE TRIGGER spend_buckets_update AFTER UPDATE OF {', '.join(watched)} ON turns "
                 f"WHEN {rolled} AND ({changed}) BEGIN {_remove_one('OLD')} {_add_one('NEW')} END")
    catch_up(conn)
