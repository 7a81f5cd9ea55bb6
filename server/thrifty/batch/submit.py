"""Send a job's items as Message Batches, never one twice.

Before each `batches.create` the submission and its requests are committed as 'creating'; the moment the call
returns, the batch id is committed. A 'creating' row left by a crash, a timeout, a 5xx or a dropped connection
(which may or may not have created the batch) is not settled in the same run (a batch still being created may not
be listed yet) but by the next submit, against the API's batch list: a batch created after the row started (less
CLOCK_SLACK), with its number of requests, claimed by no other submission and, once it has ended, whose results
name exactly the row's custom_ids, is adopted; none means nothing was created and its items are sent again;
several is refused rather than guessed. `create` runs without the SDK's retries (a retried create could create
twice); a 429 means nothing was created, so it is retried here with backoff."""

from __future__ import annotations

import fcntl
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anthropic
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from anthropic.types.messages.batch_create_params import Request
from pydantic import BaseModel

from thrifty.batch import store
from thrifty.batch.client import describe
from thrifty.batch.errors import BatchError
from thrifty.batch.render import Item
from thrifty.batch.requests import params

MAX_BATCH_BYTES = 250 * 1024 * 1024  # the API takes 256 MB per batch; room for the envelope
CREATE_ATTEMPTS = 6
BACKOFF_FIRST_S, BACKOFF_MAX_S = 2.0, 60.0
CLOCK_SLACK = timedelta(minutes=10)  # our clock against the API's, when matching a batch to a submission

Sleep = Callable[[float], None]


class SentBatch(BaseModel):
    batch_id: str
    requests: int
    adopted: bool = False  # found in the API's list after a crash rather than created by this run


class SubmitResult(BaseModel):
    job: str
    sent: int
    batches: list[SentBatch]
    already_sent: int
    retried: int
    left: int
    error: str | None = None


class _GaveUp(Exception):
    pass


def chunk(items: Sequence[Item], bodies: Mapping[str, MessageCreateParamsNonStreaming], per_batch: int,
          ) -> list[list[Item]]:
    """Items in order, split at `per_batch` requests or MAX_BATCH_BYTES of request JSON, whichever comes first."""
    chunks: list[list[Item]] = []
    current: list[Item] = []
    size = 0
    for item in items:
        item_size = len(json.dumps({"custom_id": item.custom_id, "params": bodies[item.custom_id]})) + 2
        if current and (len(current) >= per_batch or size + item_size > MAX_BATCH_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        chunks.append(current)
    return chunks


def settle(conn: sqlite3.Connection, client: anthropic.Anthropic, job: str) -> list[SentBatch]:
    """Resolve this job's 'creating' submissions against the API's list of batches (see the module docstring).

    Raises:
        BatchError: the list cannot be read, or several batches could be the one a submission created.
    """
    adopted = []
    for sub in store.submissions(conn, job=job):
        if sub["state"] != "creating":
            continue
        batch = _find_created(conn, client, sub)
        if batch is None:
            store.failed(conn, sub["id"])
        else:
            store.created(conn, sub["id"], batch)
            adopted.append(SentBatch(batch_id=batch.id, requests=sub["requests"], adopted=True))
    return adopted


def _find_created(conn: sqlite3.Connection, client: anthropic.Anthropic, sub: sqlite3.Row) -> Any:
    since = datetime.fromisoformat(str(sub["started_at"]).replace("Z", "+00:00")) - CLOCK_SLACK
    claimed = {row[0] for row in conn.execute("SELECT batch_id FROM batch_submissions WHERE batch_id IS NOT NULL")}
    ids = set(store.request_items(conn, sub["id"]))
    candidates = []
    try:
        for batch in client.messages.batches.list(limit=100):  # newest first
            if batch.created_at < since:
                break
            counts = batch.request_counts
            total = counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired
            if batch.id not in claimed and total == sub["requests"] and _same_requests(client, batch, ids):
                candidates.append(batch)
    except anthropic.AnthropicError as exc:
        raise BatchError(describe(exc, "checking whether an interrupted submission created a batch")
                         + "; nothing more was sent: run the same command again") from None
    if len(candidates) > 1:
        ids = ", ".join(b.id for b in candidates)
        raise BatchError(f"an interrupted submission of {sub['requests']} requests (started {sub['started_at']}) "
                         f"may have created any of {ids}; nothing more was sent. Cancel the ones that are not "
                         "this job's in the Console, then run the same command again")
    return candidates[0] if candidates else None


def _same_requests(client: anthropic.Anthropic, batch: Any, custom_ids: set[str]) -> bool:
    """Whether `batch` may hold exactly these requests: the API lists no custom_ids, but an ended batch's results
    name every one, so a batch of the same size from another job or tool is told apart once it has ended.

    A batch still processing cannot be checked; its size and creation time must do (several such are refused).
    """
    if batch.results_url is None:
        return True
    return {entry.custom_id for entry in client.messages.batches.results(batch.id)} == custom_ids


@contextmanager
def job_lock(folder: Path, job: str) -> Iterator[None]:
    """One submit of a job at a time: a second would see the first's batch as in doubt and could send it again.

    Raises:
        BatchError: another process is submitting this job now.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{job}.lock", "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError(f"another `thrifty batch submit` of {job} is running; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def submit(conn: sqlite3.Connection, client: anthropic.Anthropic, job: str, model: str, max_tokens: int,
           context: str, items: Sequence[Item], per_batch: int, retry_failed: bool,
           advance: Callable[[int], None] = lambda n: None, sleep: Sleep | None = None) -> SubmitResult:
    """Send the items of `job` not yet sent (and, with `retry_failed`, those whose last result failed)."""
    pause = sleep or time.sleep
    adopted = settle(conn, client, job)
    taken, failed_before = store.taken_ids(conn, job, retry_failed)
    todo = [i for i in items if i.custom_id not in taken]
    already = len(items) - len(todo)
    advance(already)
    bodies = {i.custom_id: params(model, max_tokens, context, i.prompt) for i in todo}
    sent: list[SentBatch] = list(adopted)
    sent_ids: set[str] = set()
    error = None
    for part in chunk(todo, bodies, per_batch):
        requests: list[Request] = [{"custom_id": i.custom_id, "params": bodies[i.custom_id]} for i in part]
        sub_id = store.begin(conn, job, model, [(i.custom_id, i.key) for i in part])
        try:
            batch = _create(conn, client, sub_id, requests, pause)
        except _GaveUp as exc:
            error = str(exc)
            break
        sent.append(SentBatch(batch_id=batch.id, requests=len(part)))
        sent_ids.update(i.custom_id for i in part)
        advance(len(part))
    return SubmitResult(job=job, sent=len(sent_ids), batches=sent, already_sent=already,
                        retried=len(failed_before & sent_ids), left=len(todo) - len(sent_ids), error=error)


def _create(conn: sqlite3.Connection, client: anthropic.Anthropic, sub_id: int, requests: list[Request],
            pause: Sleep) -> Any:
    """The batch created for `requests`, recorded against submission `sub_id`.

    Raises:
        BatchError: the API refused the request (4xx); nothing was created.
        _GaveUp: still rate limited after CREATE_ATTEMPTS (nothing created), or the call failed ambiguously (the
            row stays 'creating' for the next submit to settle).
    """
    creator = client.with_options(max_retries=0)
    last: anthropic.AnthropicError | None = None
    for attempt in range(CREATE_ATTEMPTS):
        if attempt:
            pause(_wait(last, attempt))
        try:
            batch = creator.messages.batches.create(requests=requests)
        except anthropic.RateLimitError as exc:  # refused: nothing was created
            last = exc
            continue
        except (anthropic.InternalServerError, anthropic.APIConnectionError) as exc:  # created or not: unknown
            # A batch the server is still creating may not be listed yet, so an empty list now proves nothing:
            # the row stays 'creating' and the next submit settles it (adopts the batch, or sends the items).
            raise _GaveUp(describe(exc, f"creating a batch of {len(requests)} items")
                          + f"; the create call for {len(requests)} items failed ambiguously, so nothing is resent "
                          "now: run `thrifty batch submit JOB` again in a few minutes and it will adopt the batch "
                          "if the API made it, or send the items if it did not") from None
        except anthropic.APIStatusError as exc:  # 4xx: the request itself is wrong; nothing was created
            store.failed(conn, sub_id)
            raise BatchError(describe(exc, "creating a batch") + "; nothing of this batch was sent") from None
        store.created(conn, sub_id, batch)
        return batch
    store.failed(conn, sub_id)
    assert last is not None
    raise _GaveUp(describe(last, f"creating a batch ({CREATE_ATTEMPTS} attempts)"))


def _wait(exc: anthropic.AnthropicError | None, attempt: int) -> float:
    """The API's retry-after when it gave one, else exponential backoff with jitter."""
    response = getattr(exc, "response", None)
    if response is not None:
        for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
            value = response.headers.get(header)
            if value is None:
                continue
            try:
                return min(max(float(value) * scale, 0.0), BACKOFF_MAX_S)
            except ValueError:
                continue
    return _backoff(attempt)


def _backoff(attempt: int) -> float:
    return min(BACKOFF_FIRST_S * 2 ** (attempt - 1), BACKOFF_MAX_S) * (0.75 + random.random() / 4)
