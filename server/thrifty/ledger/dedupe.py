"""De-duplication of usage records into `turns` rows, following ccusage.

Records share (message.id, requestId) when streaming writes several copies of one response; the copy with the
largest token total wins. A sidechain copy of a message (a `/btw` log replaying the parent under a new requestId)
never replaces a main-thread copy, and sidechain copies of one message collapse into one. Full ties keep the copy
that comes first by (path, offset), the copy a path-ordered scan keeps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from thrifty.ledger.files import FileSource
from thrifty.ledger.transcripts import UsageRecord

IN_CHUNK = 500  # bound on SQL parameters per `IN (...)` query


def chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), IN_CHUNK):
        yield items[start:start + IN_CHUNK]


class Slot:
    """One row of `turns` during a merge: loaded from the ledger or new, and whether it must be written."""

    __slots__ = ("row_id", "message_id", "request_id", "is_sidechain", "total", "has_speed", "path", "offset",
                 "record", "source", "file_id")

    def __init__(self, row_id: int | None, message_id: str | None, request_id: str, is_sidechain: bool, total: int,
                 has_speed: bool, path: str, offset: int) -> None:
        self.row_id, self.message_id, self.request_id = row_id, message_id, request_id
        self.is_sidechain, self.total, self.has_speed, self.path, self.offset = (
            is_sidechain, total, has_speed, path, offset)
        self.record: UsageRecord | None = None
        self.source: FileSource | None = None
        self.file_id = 0

    def take(self, record: UsageRecord, source: FileSource, file_id: int) -> None:
        self.request_id, self.is_sidechain, self.total = record.request_id, record.is_sidechain, record.total_tokens
        self.has_speed, self.path, self.offset = record.speed is not None, source.path, record.offset
        self.record, self.source, self.file_id = record, source, file_id


def better(record: UsageRecord, path: str, slot: Slot) -> bool:
    """Whether `record` should replace the copy in `slot` (ccusage's rule, with a path-order tie-break)."""
    if record.is_sidechain != slot.is_sidechain:
        return slot.is_sidechain
    total = record.total_tokens
    if total != slot.total:
        return total > slot.total
    has_speed = record.speed is not None
    if has_speed != slot.has_speed:
        return has_speed
    return (path, record.offset) < (slot.path, slot.offset)


def merge(record: UsageRecord, source: FileSource, file_id: int, exact: dict[tuple[str, str], Slot],
           by_message: dict[str, list[Slot]], loose: list[Slot]) -> None:
    message_id = record.message_id
    if message_id is None:
        slot = Slot(None, None, "", False, 0, False, "", 0)
        slot.take(record, source, file_id)
        loose.append(slot)
        return
    slot = exact.get((message_id, record.request_id))
    if slot is None:
        for candidate in by_message.get(message_id, ()):
            if record.is_sidechain or candidate.is_sidechain:
                slot = candidate
                break
    if slot is None:
        slot = Slot(None, message_id, record.request_id, False, 0, False, "", 0)
        slot.take(record, source, file_id)
        exact[(message_id, record.request_id)] = slot
        by_message.setdefault(message_id, []).append(slot)
    elif better(record, source.path, slot):
        if slot.request_id != record.request_id:
            del exact[(message_id, slot.request_id)]
            exact[(message_id, record.request_id)] = slot
        slot.take(record, source, file_id)


def load_slots(conn: sqlite3.Connection, message_ids: set[str]
                ) -> tuple[dict[tuple[str, str], Slot], dict[str, list[Slot]]]:
    exact: dict[tuple[str, str], Slot] = {}
    by_message: dict[str, list[Slot]] = {}
    if not message_ids or conn.execute("SELECT NOT EXISTS (SELECT 1 FROM turns)").fetchone()[0]:
        return exact, by_message
    sql = """SELECT t.id, t.message_id, t.request_id, t.is_sidechain,
                    t.input_tokens + t.output_tokens + t.cache_write_5m_tokens + t.cache_write_1h_tokens
                        + t.cache_read_tokens,
                    t.speed IS NOT NULL, f.path, t.line_offset
             FROM turns t JOIN files f ON f.id = t.file_id WHERE t.message_id IN ({})"""
    ids = sorted(message_ids)
    for chunk in chunks(ids):
        for row in conn.execute(sql.format(",".join("?" * len(chunk))), chunk):
            slot = Slot(row[0], row[1], row[2], bool(row[3]), row[4], bool(row[5]), row[6], row[7])
            exact[(row[1], row[2])] = slot
            by_message.setdefault(row[1], []).append(slot)
    return exact, by_message


