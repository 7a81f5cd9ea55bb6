"""Batch job state in the ledger (tables of migration m003): what was sent, in which batch, with what result.

Every write is its own committed transaction, made before the API call it prepares and right after the call it
records, so a process killed anywhere leaves either a settled row or a 'creating' row that `settle` resolves.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from thrifty.batch.errors import BatchError
from thrifty.ledger.transaction import transaction

FAILED_RESULTS = ("errored", "expired", "canceled")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if value else None


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return list(cursor.execute(sql, params))


def register_job(conn: sqlite3.Connection, name: str, path: str, project: str, model: str) -> str:
    """The name this job file is known by (its stem, or stem-<hash> when another file took the stem)."""
    row = conn.execute("SELECT name FROM batch_jobs WHERE path = ?", (path,)).fetchone()
    if row:
        with transaction(conn):
            conn.execute("UPDATE batch_jobs SET model = ? WHERE name = ?", (model, row[0]))
        return str(row[0])
    taken = conn.execute("SELECT 1 FROM batch_jobs WHERE name = ?", (name,)).fetchone()
    if taken:
        name = f"{name}-{hashlib.sha256(path.encode()).hexdigest()[:6]}"
    with transaction(conn):
        conn.execute("INSERT INTO batch_jobs (name, path, project, model) VALUES (?, ?, ?, ?)",
                     (name, path, project, model))
    return name


def job_row(conn: sqlite3.Connection, ident: str) -> sqlite3.Row | None:
    """A job by name or job-file path."""
    found = _rows(conn, "SELECT * FROM batch_jobs WHERE name = ? OR path = ?", (ident, ident))
    return found[0] if found else None


def submissions(conn: sqlite3.Connection, job: str | None = None, batch_id: str | None = None,
                live_only: bool = True) -> list[sqlite3.Row]:
    clauses: list[str] = []
    params: list[object] = []
    if job is not None:
        clauses.append("job = ?")
        params.append(job)
    if batch_id is not None:
        clauses.append("batch_id = ?")
        params.append(batch_id)
    if live_only:
        clauses.append("state IN ('creating', 'created')")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return _rows(conn, f"SELECT * FROM batch_submissions{where} ORDER BY id", params)


def resolve(conn: sqlite3.Connection, ident: str | None) -> list[sqlite3.Row]:
    """The created batches an ID names: a batch id, a job name or job file; all of them when None.

    Raises:
        BatchError: nothing by that name.
    """
    if ident is None:
        return [s for s in submissions(conn) if s["batch_id"]]
    found = submissions(conn, batch_id=ident)
    if found:
        return found
    job = job_row(conn, ident)
    if job is None:
        raise BatchError(f"no batch or job {ident!r} in the ledger; `thrifty batch list` shows them")
    return [s for s in submissions(conn, job=job["name"]) if s["batch_id"]]


def taken_ids(conn: sqlite3.Connection, job: str, retry_failed: bool) -> tuple[set[str], set[str]]:
    """(custom_ids not to send again, custom_ids whose last result failed) for `job`.

    An item is taken when its latest live request has no result yet or succeeded; with `retry_failed`, items whose
    latest result is errored, expired or canceled are free again.
    """
    rows = conn.execute(
        """SELECT r.custom_id, r.result FROM batch_requests r JOIN batch_submissions s ON s.id = r.submission_id
           WHERE s.job = ? AND s.state IN ('creating', 'created') ORDER BY s.id""", (job,))
    latest: dict[str, str | None] = dict(rows.fetchall())  # the last row of each custom_id wins
    failed = {c for c, r in latest.items() if r in FAILED_RESULTS}
    taken = set(latest) - failed if retry_failed else set(latest)
    return taken, failed


def begin(conn: sqlite3.Connection, job: str, model: str, items: Sequence[tuple[str, str]]) -> int:
    """Record a submission about to be created ('creating') with its (custom_id, item) requests; its id."""
    with transaction(conn):
        sub_id = int(conn.execute(
            "INSERT INTO batch_submissions (job, state, model, requests, started_at) VALUES (?, 'creating', ?, ?, ?) "
            "RETURNING id", (job, model, len(items), now())).fetchone()[0])
        conn.executemany("INSERT INTO batch_requests (submission_id, custom_id, item) VALUES (?, ?, ?)",
                         [(sub_id, c, i) for c, i in items])
    return sub_id


def created(conn: sqlite3.Connection, sub_id: int, batch: Any) -> None:
    """The API created `batch` (a MessageBatch) for this submission."""
    with transaction(conn):
        conn.execute("UPDATE batch_submissions SET state = 'created', batch_id = ? WHERE id = ?", (batch.id, sub_id))
        _status(conn, batch)


def failed(conn: sqlite3.Connection, sub_id: int) -> None:
    """The create call is known not to have created anything: its items are free to send again."""
    with transaction(conn):
        conn.execute("UPDATE batch_submissions SET state = 'failed' WHERE id = ?", (sub_id,))


def update_status(conn: sqlite3.Connection, batch: Any) -> None:
    with transaction(conn):
        _status(conn, batch)


def _status(conn: sqlite3.Connection, batch: Any) -> None:
    counts = batch.request_counts
    conn.execute(
        """UPDATE batch_submissions SET processing_status = ?, succeeded = ?, errored = ?, canceled = ?, expired = ?,
               processing = ?, created_at = ?, ended_at = ?, expires_at = ? WHERE batch_id = ?""",
        (batch.processing_status, counts.succeeded, counts.errored, counts.canceled, counts.expired,
         counts.processing, iso(batch.created_at), iso(batch.ended_at), iso(batch.expires_at), batch.id))


def request_items(conn: sqlite3.Connection, sub_id: int) -> dict[str, str]:
    """custom_id -> item of one submission."""
    return dict(conn.execute("SELECT custom_id, item FROM batch_requests WHERE submission_id = ?", (sub_id,)))


def record_results(conn: sqlite3.Connection, sub_id: int, results: Iterable[tuple[str, str, str | None, str | None]],
                   ) -> None:
    """(custom_id, result type, message id, error) of each result, and the time they were read."""
    conn.executemany(
        "UPDATE batch_requests SET result = ?, message_id = ?, error = ? WHERE submission_id = ? AND custom_id = ?",
        [(kind, message_id, error, sub_id, custom_id) for custom_id, kind, message_id, error in results])
    conn.execute("UPDATE batch_submissions SET results_read_at = ? WHERE id = ?", (now(), sub_id))

