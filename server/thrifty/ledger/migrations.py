"""The ledger schema as append-only named migrations, applied once each and recorded in `_migrations`.

Never edit a migration that has shipped: add a new one. `PRAGMA user_version` mirrors the number applied so the hot
path (a hook on every turn) checks the schema with one read and no write lock.

Schema (facts only, never money: cost is computed when reporting, from `pricing`):
- `files`: one row per transcript file read: how far (`offset`, bytes of complete lines consumed), its identity when
  read (`inode`, `size`), the session/project/agent it belongs to, and counts of usage lines taken and malformed
  lines skipped.
- `turns`: one row per API response, de-duplicated on (`message_id`, `request_id`) keeping the copy with the largest
  token total; a sidechain copy of a main-thread message never replaces it. `request_id` is '' when the record had
  none; rows without a message id are never de-duplicated. `ts` is UTC ISO 8601 with milliseconds.
  `cache_write_5m_tokens` + `cache_write_1h_tokens` = the record's cache creation tokens.
- `tool_calls`: one row per tool_use block, keyed by its `tool_use_id`; `message_id` is the turn that made the call
  (its results reach the model in the next turn of the same file). MCP tools are split into `plugin`
  (for plugin-bundled servers), `server` and `tool`; built-in tools have only `tool` (= `name`).
- `agents`: subagent id -> type and description from `agent-<id>.meta.json`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from thrifty.ledger import rollup
from thrifty.ledger.transaction import transaction

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_ledger(conn: sqlite3.Connection) -> None:
    for statement in _M001:  # one by one: executescript() would COMMIT the surrounding transaction
        conn.execute(statement)


_M001 = [
    """CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL,
        project TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        inode INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        offset INTEGER NOT NULL DEFAULT 0,
        usage_lines INTEGER NOT NULL DEFAULT 0,
        malformed_lines INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    """CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        message_id TEXT,
        request_id TEXT NOT NULL DEFAULT '',
        session_id TEXT NOT NULL,
        project TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        file_id INTEGER NOT NULL REFERENCES files(id),
        line_offset INTEGER NOT NULL,
        ts TEXT NOT NULL,
        model TEXT,
        speed TEXT,
        is_sidechain INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_write_5m_tokens INTEGER NOT NULL,
        cache_write_1h_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL
    )""",
    "CREATE UNIQUE INDEX turns_key ON turns(message_id, request_id) WHERE message_id IS NOT NULL",
    "CREATE INDEX turns_session ON turns(session_id, ts)",
    "CREATE INDEX turns_ts ON turns(ts)",
    "CREATE INDEX turns_file ON turns(file_id, line_offset)",
    """CREATE TABLE tool_calls (
        id INTEGER PRIMARY KEY,
        tool_use_id TEXT UNIQUE,
        message_id TEXT,
        session_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        file_id INTEGER NOT NULL REFERENCES files(id),
        line_offset INTEGER NOT NULL,
        ts TEXT NOT NULL,
        name TEXT NOT NULL,
        plugin TEXT,
        server TEXT,
        tool TEXT NOT NULL
    )""",
    "CREATE INDEX tool_calls_message ON tool_calls(message_id)",
    "CREATE INDEX tool_calls_session ON tool_calls(session_id, ts)",
    """CREATE TABLE agents (
        session_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        agent_type TEXT,
        description TEXT,
        PRIMARY KEY (session_id, agent_id)
    )""",
]


_RECORD = "INSERT INTO _migrations VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations this database has not seen, atomically, under the write lock."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
        return
    with transaction(conn):  # BEGIN IMMEDIATE: a hook and the CLI racing to migrate take turns; DDL rolls back too
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {name for (name,) in conn.execute("SELECT name FROM _migrations")}
        for fn in MIGRATIONS:
            if fn.__name__ not in done:
                fn(conn)
                conn.execute(_RECORD, (fn.__name__,))
        conn.execute(f"PRAGMA user_version={len(MIGRATIONS)}")


@migration
def m002_fleet_state(conn: sqlite3.Connection) -> None:
    """Budget and loop-guard state written by the guard hooks (thrifty.guard): small, per session.

    - `budget_raises`: `thrifty budget raise` amounts added to a budget (level session/subagent/daily; `agent_id` ''
      = every subagent of the session; `day` is the local date of a daily raise; unit usd/tokens).
    - `budget_notices`: warnings already given, so each is given once per session, budget, level and limit.
    - `budget_settings`: the budget settings a session's hooks last resolved (JSON), for `thrifty budget` and watch.
    - `tool_ring`: the last calls per session+agent for the loop guard: a key of the tool input, whether the tool
      changes files, and (from PostToolUse) a key of its result and whether that result was new.
    """
    for statement in _M002:
        conn.execute(statement)


_M002 = [
    """CREATE TABLE budget_raises (
        id INTEGER PRIMARY KEY,
        level TEXT NOT NULL,
        session_id TEXT NOT NULL DEFAULT '',
        agent_id TEXT NOT NULL DEFAULT '',
        day TEXT NOT NULL DEFAULT '',
        unit TEXT NOT NULL,
        amount REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    "CREATE INDEX budget_raises_scope ON budget_raises(level, session_id, day)",
    """CREATE TABLE budget_notices (
        session_id TEXT NOT NULL,
        budget TEXT NOT NULL,
        level TEXT NOT NULL,
        limit_value REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (session_id, budget, level, limit_value)
    )""",
    """CREATE TABLE budget_settings (
        session_id TEXT PRIMARY KEY,
        project_dir TEXT NOT NULL,
        settings TEXT NOT NULL,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    """CREATE TABLE tool_ring (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        tool_use_id TEXT,
        tool_name TEXT NOT NULL,
        input_key TEXT NOT NULL,
        changes_files INTEGER NOT NULL DEFAULT 0,
        denied INTEGER NOT NULL DEFAULT 0,
        result_key TEXT,
        novel INTEGER,
        ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    "CREATE INDEX tool_ring_agent ON tool_ring(session_id, agent_id, id)",
    "CREATE INDEX tool_ring_use ON tool_ring(tool_use_id)",
]


@migration
def m003_batch_jobs(conn: sqlite3.Connection) -> None:
    """State of `thrifty batch` jobs, written before each Message Batches call returns, so no item is sent twice.

    - `turns.source`: where a row came from: 'transcript' (Claude Code's logs) or 'batch' (a Message Batches result,
      `speed` = 'batch', its `request_id` = the batch id, its `files` row the pseudo path `batch:<batch id>`).
    - `batch_jobs`: one per job file (`name` = what the user types; `path` = the resolved TOML file).
    - `batch_submissions`: one per `messages.batches.create` call. `state` is 'creating' from just before the call
      until its answer is recorded ('created', with `batch_id`) or it is known not to have happened ('failed'); a
      'creating' row found later is in doubt and is settled against the API's batch list before anything is sent.
      The last seen `processing_status`, request counts and times are cached for `status` and `list`.
    - `batch_requests`: one per request sent (submission, `custom_id`), with the item it renders and, once the
      results are read, their `result` type (succeeded/errored/canceled/expired), message id and error.
    """
    for statement in _M003:
        conn.execute(statement)


_M003 = [
    "ALTER TABLE turns ADD COLUMN source TEXT NOT NULL DEFAULT 'transcript'",
    """CREATE TABLE batch_jobs (
        name TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        project TEXT NOT NULL,
        model TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    """CREATE TABLE batch_submissions (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL REFERENCES batch_jobs(name),
        state TEXT NOT NULL,
        batch_id TEXT UNIQUE,
        model TEXT NOT NULL,
        requests INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        processing_status TEXT,
        succeeded INTEGER NOT NULL DEFAULT 0,
        errored INTEGER NOT NULL DEFAULT 0,
        canceled INTEGER NOT NULL DEFAULT 0,
        expired INTEGER NOT NULL DEFAULT 0,
        processing INTEGER NOT NULL DEFAULT 0,
        created_at TEXT,
        ended_at TEXT,
        expires_at TEXT,
        results_read_at TEXT
    )""",
    "CREATE INDEX batch_submissions_job ON batch_submissions(job, id)",
    """CREATE TABLE batch_requests (
        submission_id INTEGER NOT NULL REFERENCES batch_submissions(id),
        custom_id TEXT NOT NULL,
        item TEXT NOT NULL,
        result TEXT,
        message_id TEXT,
        error TEXT,
        PRIMARY KEY (submission_id, custom_id)
    )""",
    "CREATE INDEX batch_requests_custom ON batch_requests(custom_id)",
]


@migration
def m004_implausible_usage(conn: sqlite3.Connection) -> None:
    """Usage lines refused at ingest because their token counts cannot be real (negative, not an integer, above
    10^12 in a turn): one row per line, so the report can say how many were skipped and the sums stay sane."""
    conn.execute(
        """CREATE TABLE implausible_usage (
            path TEXT NOT NULL,
            line_offset INTEGER NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            PRIMARY KEY (path, line_offset)
        )"""
    )


@migration
def m005_team_sync(conn: sqlite3.Connection) -> None:
    """What the team sync and the OTLP export need to send each fact once (thrifty.team).

    - `turn_changes`: one row per later change of a turn's token counts (a larger copy of the same message replaces
      it in place), with the token deltas, so an exporter that passed the turn's id still sees the change.
      Written by a trigger; inserts are not logged (a turn's `id` only grows).
    - `export_marks`: per target (`pg:<redacted url>`, `otlp:<endpoint>`), the high-water marks already sent:
      `turns.id`, `turn_changes.seq`, `tool_calls.id`, `refusals.id`.
    - `team_spend`: per database, the spend of the *other* machines on `day` (local date) as of `synced_at`, the
      cache PreToolUse reads for team budgets (never the network).
    - `refusals`: each tool call PreToolUse refused, with why (`budget` or `loop`), for `thrifty.budget.refusals`.
    """
    for statement in _M005:
        conn.execute(statement)


_M005 = [
    """CREATE TABLE turn_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        turn_id INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_write_5m_tokens INTEGER NOT NULL,
        cache_write_1h_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL
    )""",
    """CREATE TRIGGER turns_token_change AFTER UPDATE ON turns
       WHEN OLD.input_tokens != NEW.input_tokens OR OLD.output_tokens != NEW.output_tokens
         OR OLD.cache_write_5m_tokens != NEW.cache_write_5m_tokens
         OR OLD.cache_write_1h_tokens != NEW.cache_write_1h_tokens OR OLD.cache_read_tokens != NEW.cache_read_tokens
       BEGIN
         INSERT INTO turn_changes (turn_id, input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
                                   cache_read_tokens)
         VALUES (NEW.id, NEW.input_tokens - OLD.input_tokens, NEW.output_tokens - OLD.output_tokens,
                 NEW.cache_write_5m_tokens - OLD.cache_write_5m_tokens,
                 NEW.cache_write_1h_tokens - OLD.cache_write_1h_tokens, NEW.cache_read_tokens - OLD.cache_read_tokens);
       END""",
    """CREATE TABLE export_marks (
        target TEXT PRIMARY KEY,
        turns_id INTEGER NOT NULL DEFAULT 0,
        changes_seq INTEGER NOT NULL DEFAULT 0,
        tool_calls_id INTEGER NOT NULL DEFAULT 0,
        refusals_id INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    """CREATE TABLE team_spend (
        target TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        usd REAL NOT NULL,
        tokens INTEGER NOT NULL,
        machines INTEGER NOT NULL,
        synced_at TEXT NOT NULL
    )""",
    """CREATE TABLE refusals (
        id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        session_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        tool_name TEXT NOT NULL,
        reason TEXT NOT NULL
    )""",
]


@migration
def m006_savings_waste_spawns(conn: sqlite3.Connection) -> None:
    """What thrifty saved, the waste left, the spawn ceiling and the branch of each turn (issue 12).

    - `savings`: one row per thrifty tool call, written by the MCP server as it answers (it alone knows what it
      read): the tokens it returned and the tokens the native tools would have brought in for the same files
      (`tokens_native`) in `native_calls` calls; keyed by the call's `tool_use_id` (Claude Code sends it in
      `_meta`). `paths`: JSON list of the files it stood in for.
    - `tool_events`: one row per Read, Grep, check run through Bash or thrifty tool call, written by the async
      PostToolUse hook (it alone sees session, agent and the native call's input and result): `path` (absolute) and
      `rel_path` (to the project, for suggestions), whether a Read had a range, the file's `total_lines` and
      `file_bytes`, the result's size in characters, the check a Bash command ran, a Grep's `pattern`.
    - `spawns` / `spawn_ends`: Agent calls PreToolUse let through, and the subagents that ended since (SubagentStop
      by agent id, or a failed Agent call by `fail:<tool_use_id>`), for `max_subagents` and
      `max_concurrent_subagents`.
    - `tool_ring.hint`: the steering hint given on that call (at most one per pattern per agent in any 20 calls).
    - `turns.git_branch`: the transcript record's `gitBranch` (NULL for turns ingested before this migration).
    """
    for statement in _M006:
        conn.execute(statement)


_M006 = [
    """CREATE TABLE savings (
        tool_use_id TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        tokens_returned INTEGER NOT NULL,
        tokens_native INTEGER NOT NULL,
        native_calls INTEGER NOT NULL,
        paths TEXT NOT NULL DEFAULT '[]',
        ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    """CREATE TABLE tool_events (
        tool_use_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        tool_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        path TEXT,
        rel_path TEXT,
        ranged INTEGER NOT NULL DEFAULT 0,
        total_lines INTEGER,
        file_bytes INTEGER,
        result_chars INTEGER NOT NULL DEFAULT 0,
        check_name TEXT,
        pattern TEXT,
        ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    "CREATE INDEX tool_events_session ON tool_events(session_id, agent_id, ts)",
    "CREATE INDEX tool_events_path ON tool_events(path, ts)",
    """CREATE TABLE spawns (
        tool_use_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )""",
    "CREATE INDEX spawns_session ON spawns(session_id)",
    """CREATE TABLE spawn_ends (
        session_id TEXT NOT NULL,
        end_key TEXT NOT NULL,
        PRIMARY KEY (session_id, end_key)
    )""",
    "ALTER TABLE tool_ring ADD COLUMN hint TEXT",
    "ALTER TABLE turns ADD COLUMN git_branch TEXT",
]


@migration
def m007_savings_mark(conn: sqlite3.Connection) -> None:
    """`export_marks.savings_id`: the `savings` rowid an OTLP target has had (`thrifty.tokens.avoided`).

    `savings` has no INTEGER PRIMARY KEY, so its rowid is the mark: a new row (or one replaced by INSERT OR REPLACE)
    gets a rowid above every existing one, and nothing deletes savings rows or VACUUMs the ledger.
    """
    conn.execute("ALTER TABLE export_marks ADD COLUMN savings_id INTEGER NOT NULL DEFAULT 0")


@migration
def m008_spend_buckets(conn: sqlite3.Connection) -> None:
    """`spend_buckets`: turns' token sums per UTC quarter hour, model and speed, kept by triggers (`rollup`)."""
    rollup.install(conn)
