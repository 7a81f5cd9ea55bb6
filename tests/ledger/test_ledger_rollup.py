"""`queries.usage_by` reads the rollup kept by `ledger.rollup` when it can; it must equal summing the turns.

Turns are written the ways the ledger is written (inserts rolled up by the writer, inserts an older version still
running leaves pending, the ingest's update to a larger copy, a rewritten transcript's delete, of rolled-up and of
pending turns), with prices of every shape: long-context tiers, fast mode, an unknown model, no model.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from fixtures_gen.synth import realistic_session
from thrifty.ledger import rollup
from thrifty.ledger.db import connect
from thrifty.ledger.ingest import ingest_tree
from thrifty.ledger.migrations import MIGRATIONS, migrate
from thrifty.ledger.queries import Filters, Usage, _usage_from_rollup, usage_by, usage_from_turns

DAY = date(2026, 11, 20)
MODELS = ["claude-sonnet-4-5-20250929", "claude-haiku-5-5", "claude-opus-4-8", "claude-unknown-9", None]


@pytest.fixture(params=["UTC", "Asia/Kathmandu", "America/St_Johns", "XXX+5:07"])
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # Kathmandu (+5:45) and St John's (-3:30) put local midnight on a quarter hour that is not a whole hour; a
    # +5:07 offset puts it on none, which must fall back to the turns themselves.
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def _turn(rng: random.Random, index: int) -> tuple[object, ...]:
    moment = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC) + timedelta(minutes=rng.randrange(-36 * 60, 60 * 60))
    ts = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(1000):03d}Z"
    big = rng.random() < 0.2  # long-context requests: fields above 200k, prompts above 100k
    tokens = [rng.randrange(0, 260_000 if big else 3_000) for _ in range(5)]
    return (f"msg_{index}", rng.choice(["session-a", "session-b"]), rng.choice(["/p", "/q"]), "main", 1, index, ts,
            rng.choice(MODELS),
            "fast" if rng.random() < 0.1 else None, *tokens)


def _rolled_up(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    """Insert as this version's writers do: the rows, then the catch-up."""
    _insert(conn, rows)
    rollup.catch_up(conn)


def _insert(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    """Insert as a writer that knows nothing of the rollup does (an older version): the rows stay pending."""
    conn.executemany(
        """INSERT INTO turns (message_id, session_id, project, agent_id, file_id, line_offset, ts, model, speed,
               input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)


def _ledger(tmp_path: Path) -> sqlite3.Connection:
    conn = connect(tmp_path / "ledger.db")
    conn.execute("INSERT INTO files (id, path, session_id, project, agent_id) VALUES (1, 'a.jsonl', 's', '/p', 'main')")
    return conn


def _same(rolled: Usage, summed: Usage) -> None:
    assert (rolled.turns, rolled.total_tokens) == (summed.turns, summed.total_tokens)
    assert (rolled.input_tokens, rolled.output_tokens, rolled.cache_creation_tokens) == (
        summed.input_tokens, summed.output_tokens, summed.cache_creation_tokens)
    assert rolled.cost_usd == pytest.approx(summed.cost_usd)
    assert (rolled.models, rolled.unpriced_models) == (summed.models, summed.unpriced_models)
    assert (rolled.first_ts, rolled.last_ts) == (summed.first_ts, summed.last_ts)


def _agree(conn: sqlite3.Connection, days: list[date]) -> int:
    """Compare both paths on the views the rollup serves; the number of turns of `days`."""
    turns = 0
    for filters in [Filters(), Filters(project="/p"), Filters(session_id="session-b"),
                    *(Filters(since=day, until=day) for day in days), Filters(since=days[1]), Filters(until=days[0])]:
        for group in [(), ("session_id",), ("session_id", "project")]:
            rolled, summed = usage_by(conn, group, filters), usage_from_turns(conn, group, filters)
            assert list(rolled) == list(summed)  # the same groups, in the same first-use order
            for key in summed:
                _same(rolled[key], summed[key])
        if filters.since is not None and filters.since == filters.until:
            turns += sum(usage.turns for usage in usage_by(conn, (), filters).values())
        # The rollup did answer, unless a midnight falls off the quarter hours (then the turns did).
        off_quarter = int(time.strftime("%z")[-2:]) % 15 != 0
        served = _usage_from_rollup(conn, ("session_id",), filters) is not None
        assert served != (off_quarter and (filters.since is not None or filters.until is not None))
    assert _usage_from_rollup(conn, ("session_id",), Filters(agent_id="main")) is None
    return turns


def test_the_rollup_answers_as_the_turns_do_after_inserts_updates_and_deletes(tmp_path: Path, zone: str) -> None:
    rng = random.Random(f"rollup-{zone}")
    conn = _ledger(tmp_path)
    _rolled_up(conn, [_turn(rng, i) for i in range(400)])
    _insert(conn, [_turn(rng, i) for i in range(400, 600)])  # pending: read from the turns
    days = [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]
    assert _agree(conn, days) > 300

    # The ingest's update to a larger copy (same row, new tokens), a model or timestamp that changes, deletes.
    for turn_id in rng.sample(range(1, 601), 120):
        conn.execute("UPDATE turns SET output_tokens = output_tokens + ?, input_tokens = ? WHERE id = ?",
                     (rng.randrange(1, 300_000), rng.randrange(0, 150_000), turn_id))
    conn.execute("UPDATE turns SET model = 'claude-opus-4-8', speed = 'fast' WHERE id % 7 = 0")
    conn.execute("UPDATE turns SET ts = replace(ts, 'T1', 'T0') WHERE id % 11 = 0")
    conn.execute("UPDATE turns SET line_offset = line_offset + 1")  # no token change: the rollup stays as it is
    conn.execute("UPDATE turns SET session_id = 'session-b' WHERE id % 13 = 0")
    conn.execute("DELETE FROM turns WHERE id % 5 = 0")
    assert _agree(conn, days) > 200
    rollup.catch_up(conn)  # the pending turns, as they are after those changes
    assert conn.execute("SELECT last_id FROM spend_rollup_mark").fetchone()[0] == 599  # 600 was deleted
    assert _agree(conn, days) > 200

    # A rewritten transcript's newest turns deleted, and new ones inserted: SQLite gives them the freed ids.
    conn.execute("DELETE FROM turns WHERE id > 580")
    _insert(conn, [_turn(rng, i) for i in range(1000, 1030)])
    assert conn.execute("SELECT MIN(id) FROM turns WHERE message_id >= 'msg_1000'").fetchone()[0] <= 599
    assert _agree(conn, days) > 200
    rollup.catch_up(conn)
    assert _agree(conn, days) > 200


def test_the_migration_rolls_up_the_turns_already_in_the_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    conn = sqlite3.connect(path, isolation_level=None)
    rollup = next(i for i, fn in enumerate(MIGRATIONS) if fn.__name__ == "m008_spend_buckets")
    shipped, MIGRATIONS[:] = list(MIGRATIONS), MIGRATIONS[:rollup]  # a ledger from before the rollup
    try:
        migrate(conn)
        conn.execute("INSERT INTO files (id, path, session_id, project, agent_id) VALUES (1, 'a', 's', '/p', 'm')")
        rng = random.Random(8)
        _insert(conn, [_turn(rng, i) for i in range(300)])  # as a writer from before the rollup did
    finally:
        MIGRATIONS[:] = shipped
    migrate(conn)
    assert _agree(conn, [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]) > 100


@pytest.mark.parametrize("workers", [1, 2])
def test_ingested_transcripts_roll_up_to_what_their_turns_say(tmp_path: Path, workers: int) -> None:
    # Two ingests, the first of each transcript's first half: streaming copies split by the cut are updated to their
    # final copy by the second. With two workers a forked process writes part of them through its own connection.
    root = tmp_path / "projects"
    start = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    for i in range(12):
        realistic_session(root, seed=400 + i, turns=25, start=start + timedelta(hours=3 * i))
    rests: dict[Path, list[str]] = {}
    for path in root.rglob("*.jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[:len(lines) // 2]), encoding="utf-8")
        rests[path] = lines[len(lines) // 2:]
    conn = connect(tmp_path / "ledger.db")
    first = ingest_tree(conn, root, workers=workers)
    for path, rest in rests.items():
        with open(path, "a", encoding="utf-8") as tail:
            tail.write("".join(rest))
    second = ingest_tree(conn, root, workers=workers)
    assert first.turns_added > 100 and second.turns_added > 100 and second.turns_replaced > 0
    days = sorted({date.fromisoformat(ts[:10]) for (ts,) in conn.execute("SELECT ts FROM turns")})
    assert len(days) >= 2
    assert _agree(conn, days) == usage_by(conn, ())[()].turns


# sha256 of the schema m008 creates (below). Migrations are frozen once shipped, and m008 runs rollup.install: a
# change to that SQL would give new ledgers another rollup than upgraded ones. Change it in a new migration that
# rebuilds the table (and its triggers), then update this.
M008_SCHEMA = "aca76ad7ed4222923c30c33fca314ab575f702fa23806d139d1ef70c0c87e4f0"


def test_the_schema_m008_creates_is_the_one_it_shipped_with(tmp_path: Path) -> None:
    conn = connect(tmp_path / "ledger.db")
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'spend\\_%' ESCAPE '\\' "
                        "ORDER BY name")
    schema = "\n".join(f"{kind} {name}: {sql}" for kind, name, sql in rows)
    assert "spend_rollup_mark" in schema and "spend_buckets_update" in schema
    assert hashlib.sha256(schema.encode()).hexdigest() == M008_SCHEMA, schema


@pytest.mark.parametrize("seed", range(40))
def test_random_write_sequences_read_the_same_both_ways(tmp_path: Path, seed: int) -> None:
    # Inserts left pending as an older writer leaves them, catch-ups, updates that move turns between buckets,
    # sessions, days and models, deletes of any turn and of the newest ones (whose ids SQLite then reuses).
    rng = random.Random(seed)
    conn = _ledger(tmp_path)
    made = 0
    day = Filters(since=DAY, until=DAY)

    def some_id() -> int:
        ids = [row[0] for row in conn.execute("SELECT id FROM turns")]
        return rng.choice(ids) if ids else 0

    for _ in range(40):
        step = rng.choice(["insert", "insert", "catch_up", "tokens", "ts", "session", "model", "delete", "newest",
                           "reset"])
        if step == "insert":
            rows = [_turn(rng, made + i) for i in range(rng.randrange(1, 5))]
            made += len(rows)
            _insert(conn, rows)
        elif step == "catch_up":
            rollup.catch_up(conn)
        elif step == "tokens":
            conn.execute("UPDATE turns SET input_tokens = ?, output_tokens = ? WHERE id = ?",
                         (rng.randrange(250_000), rng.randrange(250_000), some_id()))
        elif step == "ts":
            conn.execute("UPDATE turns SET ts = ? WHERE id = ?", (_turn(rng, 0)[6], some_id()))
        elif step == "session":
            conn.execute("UPDATE turns SET session_id = ? WHERE id % 3 = ?", (rng.choice("ab"), rng.randrange(3)))
        elif step == "model":
            conn.execute("UPDATE turns SET model = ?, speed = ? WHERE id % 4 = ?",
                         (rng.choice(MODELS), rng.choice([None, "fast"]), rng.randrange(4)))
        elif step == "delete":
            conn.execute("DELETE FROM turns WHERE id = ?", (some_id(),))
        elif step == "reset":  # a rewritten transcript's turns, deleted to be read again
            conn.execute("DELETE FROM turns WHERE line_offset % 3 = ?", (rng.randrange(3),))
        else:
            conn.execute("DELETE FROM turns WHERE id > (SELECT MAX(id) - ? FROM turns)", (rng.randrange(1, 4),))
        for group, filters in (((), day), (("session_id", "project"), Filters())):
            rolled, summed = usage_by(conn, group, filters), usage_from_turns(conn, group, filters)
            assert list(rolled) == list(summed), step
            for key in summed:
                _same(rolled[key], summed[key])
