"""Read ended batches' results: one file per item, results.jsonl, the ledger's turns, and what did not succeed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anthropic
from pydantic import BaseModel

from thrifty.batch import store, usage
from thrifty.batch.client import describe
from thrifty.batch.errors import BatchError
from thrifty.ledger.transaction import transaction


class FailedItem(BaseModel):
    item: str
    custom_id: str
    result: str
    error: str | None = None


class ResultsReport(BaseModel):
    out: str
    batches_read: list[str]
    still_processing: list[str]
    succeeded: int
    failed: list[FailedItem]
    turns_recorded: int
    notes: list[str] = []


def text_of(message: Any) -> str:
    return "\n".join(block.text for block in message.content if getattr(block, "type", "") == "text")


def read(conn: sqlite3.Connection, client: anthropic.Anthropic, rows: Sequence[sqlite3.Row], out: Path,
         projects: dict[str, str]) -> ResultsReport:
    """Results of the ended batches among `rows` into `out` (created); `projects` maps job -> ledger project.

    Raises:
        BatchError: `out` cannot be written or the API cannot be read.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"cannot create the results folder {out}: {exc}") from None
    lines: dict[str, dict[str, Any]] = {}
    read_ids, processing, added = [], [], 0
    for row in rows:
        if row["processing_status"] != "ended":
            processing.append(row["batch_id"])
            continue
        added += _read_batch(conn, client, row, out, projects[row["job"]], lines)
        read_ids.append(row["batch_id"])
    _write(out / "results.jsonl", lines.values())
    failed = [FailedItem(item=line["item"], custom_id=line["custom_id"], result=line["result"], error=line["error"])
              for line in lines.values() if line["result"] != "succeeded"]
    failed.sort(key=lambda f: f.item)
    notes = []
    if processing:
        notes.append(f"{len(processing)} batch{'es' if len(processing) != 1 else ''} still processing: run "
                     "`thrifty batch results` again once `thrifty batch status` shows them ended")
    if failed:
        kinds = sorted({f.result for f in failed})
        notes.append(f"{len(failed)} item{'s' if len(failed) != 1 else ''} {'/'.join(kinds)}: send them again with "
                     "`thrifty batch submit JOB --retry-failed`")
    return ResultsReport(out=str(out), batches_read=read_ids, still_processing=processing,
                         succeeded=sum(1 for line in lines.values() if line["result"] == "succeeded"),
                         failed=failed, turns_recorded=added, notes=notes)


def _read_batch(conn: sqlite3.Connection, client: anthropic.Anthropic, row: sqlite3.Row, out: Path, project: str,
                lines: dict[str, dict[str, Any]]) -> int:
    batch_id = row["batch_id"]
    items = store.request_items(conn, row["id"])
    order = {custom_id: n for n, custom_id in enumerate(sorted(items))}
    try:
        entries = list(client.messages.batches.results(batch_id))
    except anthropic.AnthropicError as exc:
        raise BatchError(describe(exc, f"reading the results of {batch_id}")) from None
    outcomes, messages = [], []
    for entry in entries:
        result = entry.result
        item = items.get(entry.custom_id, entry.custom_id)
        line: dict[str, Any] = {"custom_id": entry.custom_id, "item": item, "batch_id": batch_id,
                                "result": result.type, "text": None, "error": None, "usage": None, "file": None}
        if result.type == "succeeded":
            message = result.message
            name = f"{entry.custom_id}.txt"
            _write_text(out / name, text_of(message))
            line.update(text=text_of(message), usage=message.usage.model_dump(exclude_none=True), file=name,
                        message_id=message.id, stop_reason=message.stop_reason)
            messages.append((order.get(entry.custom_id, len(order)), message))
            outcomes.append((entry.custom_id, "succeeded", message.id, None))
        else:
            error = _error_text(result)
            line["error"] = error
            outcomes.append((entry.custom_id, result.type, None, error))
        lines[entry.custom_id] = line
    with transaction(conn):
        store.record_results(conn, row["id"], outcomes)
        return usage.record(conn, batch_id, row["job"], project, row["ended_at"] or store.now(), messages)


def _error_text(result: Any) -> str | None:
    if result.type == "errored":
        error = getattr(result.error, "error", None)
        kind, message = getattr(error, "type", "error"), getattr(error, "message", "")
        return f"{kind}: {message}" if message else str(kind)
    if result.type == "expired":
        return "the batch reached its 24-hour limit before this request ran"
    return "the batch was canceled before this request ran"


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BatchError(f"cannot write {path}: {exc}") from None


def _write(path: Path, lines: Any) -> None:
    _write_text(path, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
