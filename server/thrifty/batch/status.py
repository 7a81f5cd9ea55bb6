"""Batch status from the API, cached in the ledger; waiting for batches to end with polls that back off."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

import anthropic
from pydantic import BaseModel

from thrifty.batch import store
from thrifty.batch.client import describe
from thrifty.batch.errors import BatchError

POLL_FIRST_S, POLL_FACTOR, POLL_MAX_S = 10.0, 1.5, 300.0  # batches take minutes to hours: no need to hurry


class BatchStatus(BaseModel):
    batch_id: str
    job: str
    status: str
    requests: int
    succeeded: int
    errored: int
    expired: int
    canceled: int
    processing: int
    created_at: str | None
    ended_at: str | None
    expires_at: str | None
    results_read: bool


def of(row: sqlite3.Row) -> BatchStatus:
    return BatchStatus(batch_id=row["batch_id"], job=row["job"], status=row["processing_status"] or "unknown",
                       requests=row["requests"], succeeded=row["succeeded"], errored=row["errored"],
                       expired=row["expired"], canceled=row["canceled"], processing=row["processing"],
                       created_at=row["created_at"], ended_at=row["ended_at"], expires_at=row["expires_at"],
                       results_read=row["results_read_at"] is not None)


def refresh(conn: sqlite3.Connection, client: anthropic.Anthropic, rows: Sequence[sqlite3.Row]) -> list[BatchStatus]:
    """Ask the API about every batch that has not ended yet; the statuses of all of `rows`.

    Raises:
        BatchError: the API cannot be asked (after the SDK's retries).
    """
    for row in rows:
        if row["processing_status"] == "ended":
            continue
        try:
            store.update_status(conn, client.messages.batches.retrieve(row["batch_id"]))
        except anthropic.AnthropicError as exc:
            raise BatchError(describe(exc, f"reading the status of {row['batch_id']}")) from None
    ids = [row["batch_id"] for row in rows]
    fresh = {r["batch_id"]: r for r in store.submissions(conn) if r["batch_id"]}
    return [of(fresh[i]) for i in ids]


def delays(first: float = POLL_FIRST_S) -> Callable[[], float]:
    """Successive waits between polls: first, then x1.5 each time, at most POLL_MAX_S."""
    state = {"next": first}

    def step() -> float:
        wait = state["next"]
        state["next"] = min(wait * POLL_FACTOR, POLL_MAX_S)
        return wait

    return step


def wait_until_ended(conn: sqlite3.Connection, client: anthropic.Anthropic, rows: Sequence[sqlite3.Row],
                     sleep: Callable[[float], None], on_poll: Callable[[list[BatchStatus]], None] = lambda s: None,
                     ) -> list[BatchStatus]:
    """Poll until every batch of `rows` has ended, waiting longer between polls each time."""
    next_wait = delays()
    while True:
        statuses = refresh(conn, client, rows)
        on_poll(statuses)
        if all(s.status == "ended" for s in statuses):
            return statuses
        sleep(next_wait())
        wanted = {s.batch_id for s in statuses}
        rows = [r for r in store.submissions(conn) if r["batch_id"] in wanted]


class StatusReport(BaseModel):
    batches: list[BatchStatus]
    notes: list[str] = []


def report(statuses: list[BatchStatus]) -> StatusReport:
    """The statuses with what a user must know: expired or canceled requests and how to send them again."""
    notes = []
    for s in statuses:
        if s.status == "ended" and s.expired:
            notes.append(f"{s.batch_id}: {s.expired:,} requests expired (the batch reached its 24-hour limit): "
                         f"`thrifty batch results {s.job}` lists them, `thrifty batch submit JOB --retry-failed` "
                         "sends them again")
        if s.canceled:
            notes.append(f"{s.batch_id}: {s.canceled:,} requests canceled: `thrifty batch submit JOB --retry-failed` "
                         "sends them again")
        if s.status == "canceling":
            notes.append(f"{s.batch_id}: canceling; requests already running still finish and are billed")
    ended_unread = [s for s in statuses if s.status == "ended" and not s.results_read]
    if ended_unread:
        jobs = sorted({s.job for s in ended_unread})
        notes.append("results ready: " + ", ".join(f"`thrifty batch results {j}`" for j in jobs))
    return StatusReport(batches=statuses, notes=notes)
