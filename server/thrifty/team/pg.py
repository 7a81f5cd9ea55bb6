"""The shared PostgreSQL: connect with a clear message for every way a URL can be wrong, and create the schema.

Team tables (created on first use by whoever gets there first, under an advisory lock):
- `thrifty_turns`: one row per API response, keyed as the local ledger de-duplicates, (`message_id`,
  `request_id`); a response without a message id gets `~<session>/<agent>/<line offset>`. Tagged with `user_name`
  and `host`; tokens as the local ledger holds them; an upsert keeps the copy with the larger token total.
- `thrifty_tool_calls`: one row per tool_use block, keyed by `tool_use_id`.
- `thrifty_agents`: subagent types, keyed (`session_id`, `agent_id`) (not the task descriptions: they are prompt text).
Money is never stored: reports price the tokens at read time, as the local ledger does.
"""

from __future__ import annotations

from typing import Any

from thrifty.dburl import redact, scrub
from thrifty.team.deps import require

SCHEMA_LOCK = 727_001  # pg_advisory_xact_lock key: concurrent first syncs create the tables one at a time
STATEMENT_TIMEOUT_MS = 120_000
CONNECT_TIMEOUT_S = 10


class TeamDbError(Exception):
    """The team database cannot be reached or used; the message is safe to show (no password)."""


def connect(url: str) -> Any:
    """A psycopg connection to `url` in autocommit mode: every write happens in an explicit `transaction()`.

    Raises:
        TeamDbError: not a PostgreSQL URL, host unreachable, authentication failed, database missing...
        MissingExtra: psycopg is not installed.
    """
    text = url.strip()
    if not text.startswith(("postgresql://", "postgres://")):
        # Not echoed: a libpq key=value string (host=db password=...) would show its password.
        raise TeamDbError("team_db must be a PostgreSQL URL like postgresql://user@host:5432/dbname (key=value "
                          "connection strings are not supported; keep the password in PGPASSWORD or ~/.pgpass)")
    psycopg = require("psycopg", "the team view")
    try:
        # A network path that dies mid-sync must not hang the background job (and the team lock) for good:
        # keepalives and a TCP user timeout notice a dead peer, a statement timeout bounds any one statement.
        return psycopg.connect(text, connect_timeout=CONNECT_TIMEOUT_S, application_name="thrifty", autocommit=True,
                               keepalives=1, keepalives_idle=30, tcp_user_timeout=60_000,
                               options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}")
    except psycopg.Error as exc:
        raise TeamDbError(f"cannot connect to the team database {redact(text)}: {_reason(exc, text)}") from None
    except Exception as exc:  # noqa: BLE001 - libpq rejects a malformed URL with ProgrammingError/ValueError
        raise TeamDbError(f"cannot use the team database URL {redact(text)}: {scrub(str(exc), text)}") from None


def _reason(exc: BaseException, url: str) -> str:
    text = " ".join(str(exc).split())
    lowered = text.lower()
    hint = ""
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        hint = " (check the user and password, or PGPASSWORD / ~/.pgpass)"
    elif "does not exist" in lowered and "database" in lowered:
        hint = " (create it first, e.g. `createdb`, or fix the name at the end of the URL)"
    elif "connection refused" in lowered or "could not translate host name" in lowered or "timeout" in lowered:
        hint = " (check the host and port, and that PostgreSQL accepts connections from here)"
    return scrub(text, url) + hint


def error_text(exc: BaseException, url: str) -> str:
    """A driver error during use (not connect), made safe and short."""
    return scrub(" ".join(str(exc).split()), url)


_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS thrifty_turns (
        message_id text NOT NULL,
        request_id text NOT NULL,
        user_name text NOT NULL,
        host text NOT NULL,
        session_id text NOT NULL,
        project text NOT NULL,
        agent_id text NOT NULL,
        file_key text NOT NULL,
        line_offset bigint NOT NULL,
        ts text NOT NULL,
        model text,
        speed text,
        is_sidechain smallint NOT NULL,
        input_tokens bigint NOT NULL,
        output_tokens bigint NOT NULL,
        cache_write_5m_tokens bigint NOT NULL,
        cache_write_1h_tokens bigint NOT NULL,
        cache_read_tokens bigint NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (message_id, request_id)
    )""",
    "CREATE INDEX IF NOT EXISTS thrifty_turns_ts ON thrifty_turns (ts)",
    "CREATE INDEX IF NOT EXISTS thrifty_turns_session ON thrifty_turns (session_id)",
    """CREATE TABLE IF NOT EXISTS thrifty_tool_calls (
        tool_use_id text PRIMARY KEY,
        message_id text,
        user_name text NOT NULL,
        host text NOT NULL,
        session_id text NOT NULL,
        agent_id text NOT NULL,
        file_key text NOT NULL,
        line_offset bigint NOT NULL,
        ts text NOT NULL,
        name text NOT NULL,
        plugin text,
        server text,
        tool text NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS thrifty_tool_calls_ts ON thrifty_tool_calls (ts)",
    """CREATE TABLE IF NOT EXISTS thrifty_agents (
        session_id text NOT NULL,
        agent_id text NOT NULL,
        agent_type text,
        PRIMARY KEY (session_id, agent_id)
    )""",
]


def ensure_schema(conn: Any) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        exists = conn.execute("SELECT to_regclass('thrifty_agents') IS NOT NULL").fetchone()[0]
        if not exists:
            for statement in _SCHEMA:
                conn.execute(statement)
