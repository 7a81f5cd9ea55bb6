"""The ledger for a CLI command: opened (and brought up to date with the transcripts), every failure a clear message.

Shared by `thrifty report`, `thrifty budget` and `thrifty watch`, so each says the same thing about the same fault.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import click


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
        raise click.ClickException(f"{exc}. Move the file aside and run again: the ledger is rebuilt from the "
                                   "transcripts.") from None
    try:
        if ingest:
            ingest_tree(conn, transcripts_dir(), workers=2)
        yield conn
    except TranscriptsError as exc:
        raise click.ClickException(f"{exc}. Check CLAUDE_CONFIG_DIR and the folder's permissions.") from None
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise click.ClickException(f"the ledger at {path} stayed locked by another writer: {exc}. "
                                       "Try again in a moment.") from None
        raise click.ClickException(f"cannot use the ledger at {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"the ledger at {path} is damaged ({exc}). Move it aside and run again: it is "
                                   "rebuilt from the transcripts.") from None
    finally:
        conn.close()
