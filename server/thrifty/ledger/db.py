"""Open the ledger: WAL, a busy timeout, autocommit off the table, and our own `BEGIN IMMEDIATE` transactions.

`isolation_level=None` leaves transaction control to `transaction()`, so DDL in a failed migration rolls back and
concurrent writers (many hooks, the CLI, the MCP server) queue on the write lock instead of failing.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from thrifty.ledger.migrations import migrate as run_migrations
from thrifty.ledger.transaction import transaction

__all__ = ["LedgerError", "connect", "transaction"]  # `transaction` is used with `connect`: importable from here too

CACHE_KIB = 32_768  # a first ingest inserts into random-keyed indexes; pages are allocated only when used
BUSY_TIMEOUT_MS = 20_000  # hooks have 30 s; a cold report holds the write lock only while it writes its rows


class LedgerError(Exception):
    """The ledger database cannot be opened or is not a thrifty ledger (corrupt file, unreadable directory)."""


def connect(path: Path, *, migrate: bool = True) -> sqlite3.Connection:
    """A connection to the ledger at `path`, created and migrated as needed.

    Raises:
        LedgerError: the file is not a usable SQLite database or its directory cannot be created.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")  # durable under WAL except for the last commits on power loss
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        if migrate:
            run_migrations(conn)
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"cannot use the ledger at {path}: {exc}") from exc
    except OSError as exc:
        raise LedgerError(f"cannot create the ledger directory {path.parent}: {exc}") from exc
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    # Switching to WAL needs an exclusive lock that busy_timeout does not wait for when several processes create the
    # database at once; whoever wins makes the file WAL for everyone, so a short bounded retry settles it.
    for attempt in range(50):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.002 * (attempt + 1))
    conn.execute("PRAGMA journal_mode=WAL")


def ledger_file(conn: sqlite3.Connection) -> Path:
    """The file behind `conn` (its `main` database)."""
    return Path(conn.execute("PRAGMA database_list").fetchone()[2])
