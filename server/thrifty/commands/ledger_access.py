"""The ledger for a CLI command: opened (and brought up to date with the transcripts), every failure a clear message.

Shared by `thrifty report`, `thrifty budget` and `thrifty watch`, so each says the same thing about the same fault.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

NOTICE_AFTER_MS = 1_000  # a lock held longer than this is announced before the full wait


@contextmanager
def open_ledger(*, ingest: bool = True) -> Iterator[sqlite3.Connection]:
    """The ledger, first brought up to date with the transcripts when `ingest`; closed on exit.

    Raises:
        click.ClickException: the ledger cannot be opened, is damaged or stays locked, or the transcripts directory
            cannot be read (also when this happens inside the `with` block).
    """
    from thrifty.ledger.db import LedgerError, connect
    from thrifty.ledger.ingest import TranscriptsError, ingest_tree
    from thrifty.paths import ledger_path, transcripts_dir

    path = ledger_path()
    try:
        conn = connect(path)
    except LedgerError as exc:
        raise click.ClickException(advice(path, exc)) from None
    try:
        if ingest:
            _ingest_saying_when_waiting(conn, path, lambda: ingest_tree(conn, transcripts_dir(), workers=2))
        yield conn
    except TranscriptsError as exc:
        raise click.ClickException(f"{exc}. Check CLAUDE_CONFIG_DIR and the folder's permissions.") from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(advice(path, exc)) from None
    finally:
        conn.close()


def _ingest_saying_when_waiting(conn: sqlite3.Connection, path: Path, ingest: Callable[[], object]) -> None:
    """Ingest; if another process holds the ledger's write lock past a short wait, say so on stderr (what is being
    waited for, and how long at most), then wait the full busy timeout."""
    from thrifty.ledger.db import BUSY_TIMEOUT_MS

    conn.execute(f"PRAGMA busy_timeout={NOTICE_AFTER_MS}")
    try:
        ingest()
        return
    except sqlite3.OperationalError as exc:
        if not _is_locked(exc):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    click.echo(f"thrifty: waiting for the ledger's write lock ({path}), held by another thrifty process (a hook, "
               f"a report or the MCP server writing new turns); up to {BUSY_TIMEOUT_MS // 1000} s...", err=True)
    ingest()


def _is_locked(exc: Exception) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def advice(path: Path, exc: Exception) -> str:
    """What went wrong with the ledger and the fix that fits it: locked, not writable, or damaged."""
    text = str(exc)
    if _is_locked(exc):
        return (f"the ledger at {path} stayed locked by another writer: {text}. Another thrifty process held it for "
                "the whole wait; try again in a moment.")
    if any(s in text for s in ("readonly", "read-only", "Permission denied", "unable to open database file",
                               "Read-only file system")):
        return (f"the ledger at {path} cannot be written ({text}). This is a permissions problem, not damage: make "
                f"{path} and its folder {path.parent} writable by you (ls -l shows the owner; chown or chmod u+w), "
                "or point THRIFTY_DATA_DIR at a writable folder.")
    if isinstance(exc, sqlite3.OperationalError):
        return f"cannot use the ledger at {path}: {text}"
    return (f"the ledger at {path} is damaged ({text}). Move the file aside and run again: it is rebuilt from the "
            "transcripts.")
