"""Incremental ingestion: read only the new complete lines of each transcript and merge their usage into `turns`.

Each file's read position is stored with the rows it produced, in the same transaction, so a crash can neither
double count nor skip. Files are read outside the write lock; under it, any file another process advanced meanwhile
is re-read from its new position. A last line without its newline is left for the next run unless it is already a
complete JSON document. A file that shrank or was replaced (new inode) is read again from the start.

De-duplication follows ccusage: records share (message.id, requestId) when streaming writes several copies of one
response; the copy with the largest token total wins. A sidechain copy of a message (a `/btw` log replaying the
parent under a new requestId) never replaces a main-thread copy, and sidechain copies of one message collapse.
Full ties keep the copy that comes first by (path, offset), which is the copy a path-ordered scan keeps.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from thrifty.ledger.db import transaction
from thrifty.ledger.transcripts import UsageRecord, parse_final_line, parse_lines, split_tool_name

MAIN_AGENT = "main"
_IN_CHUNK = 500  # bound on SQL parameters per `IN (...)` query


class TranscriptsError(Exception):
    """The transcripts directory exists but cannot be read."""


class IngestStats:
    """What one ingestion did; `malformed` counts lines that were not valid JSON (skipped, never fatal)."""

    __slots__ = ("files_seen", "files_read", "bytes_read", "records", "malformed", "turns_added", "turns_replaced",
                 "unreadable")

    def __init__(self) -> None:
        self.files_seen = self.files_read = self.bytes_read = self.records = self.malformed = 0
        self.turns_added = self.turns_replaced = self.unreadable = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


class FileSource:
    """Whose a transcript file is: the session and project ccusage would give it, and the agent that wrote it."""

    __slots__ = ("path", "session_id", "project", "agent_id")

    def __init__(self, path: str, session_id: str, project: str, agent_id: str) -> None:
        self.path, self.session_id, self.project, self.agent_id = path, session_id, project, agent_id


def describe(path: str, root: Path | None = None) -> FileSource:
    """Session/project of a transcript by its place under `projects/`, as ccusage decides it.

    `<project>/<session>.jsonl` -> that session; `<project>/<session>/subagents/agent-<id>.jsonl` -> the parent
    session, agent `<id>`; any other depth -> the parent directory's name as session.
    """
    parts = _relative_parts(path, root)
    name = parts[-1] if parts else ""
    agent_id = MAIN_AGENT
    if len(parts) >= 2 and "subagents" in parts[:-1] and name.startswith("agent-") and name.endswith(".jsonl"):
        agent_id = name[6:-6] or MAIN_AGENT
    stem = name[:-6] if name.endswith(".jsonl") else ""
    if len(parts) == 2 and stem:
        return FileSource(path, stem, parts[0], agent_id)
    if len(parts) >= 4 and parts[-2] == "subagents":
        return FileSource(path, parts[-3], "/".join(parts[:-3]) or "Unknown Project", agent_id)
    session = parts[-2] if len(parts) >= 2 else "unknown"
    project = "/".join(parts[:-2]) if len(parts) > 2 else "Unknown Project"
    return FileSource(path, session, project, agent_id)


def _relative_parts(path: str, root: Path | None) -> list[str]:
    parts = Path(path).parts
    if root is not None:
        root_parts = root.parts
        if parts[: len(root_parts)] == root_parts:
            return list(parts[len(root_parts):])
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "projects":
            return list(parts[index + 1:])
    return list(parts)


def find_transcripts(root: Path) -> list[tuple[str, int, int]]:
    """(path, inode, size) of every `*.jsonl` under `root`, sorted by path; symlinks are not followed.

    Raises:
        TranscriptsError: `root` exists but cannot be listed.
    """
    found: list[tuple[str, int, int]] = []
    try:
        _walk(str(root), found, top=True)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TranscriptsError(f"cannot read the transcripts directory {root}: {exc.strerror or exc}") from exc
    found.sort()
    return found


def _walk(directory: str, found: list[tuple[str, int, int]], top: bool = False) -> None:
    try:
        entries = os.scandir(directory)
    except OSError:
        if top:
            raise
        return  # one unreadable project folder must not hide the others
    with entries:
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    _walk(entry.path, found)
                elif entry.name.endswith(".jsonl") and entry.is_file(follow_symlinks=False):
                    found.append((entry.path, entry.inode(), entry.stat(follow_symlinks=False).st_size))
            except OSError:
                continue


def session_files(transcript_path: Path) -> list[Path]:
    """A session's main transcript and the subagent transcripts in `<session>/subagents/` (recursively)."""
    files = [transcript_path]
    subagents = transcript_path.with_suffix("") / "subagents"
    found: list[tuple[str, int, int]] = []
    try:
        _walk(str(subagents), found, top=True)
    except OSError:
        return files
    files.extend(Path(path) for path, _, _ in sorted(found))
    return files


class _State:
    __slots__ = ("id", "inode", "size", "offset")

    def __init__(self, file_id: int, inode: int, size: int, offset: int) -> None:
        self.id, self.inode, self.size, self.offset = file_id, inode, size, offset

    def key(self) -> tuple[int, int, int]:
        return self.inode, self.size, self.offset


class _Read:
    """The new part of one file: its records and where the next read starts."""

    __slots__ = ("source", "based_on", "inode", "size", "start", "new_offset", "records", "malformed", "nbytes")

    def __init__(self, source: FileSource, based_on: tuple[int, int, int] | None) -> None:
        self.source = source
        self.based_on = based_on
        self.inode = self.size = self.start = self.new_offset = self.malformed = self.nbytes = 0
        self.records: list[UsageRecord] = []

    @property
    def reset(self) -> bool:
        return self.start == 0 and self.based_on is not None and self.based_on[2] > 0


def ingest_tree(conn: sqlite3.Connection, root: Path) -> IngestStats:
    """Bring the ledger up to date with every transcript under `root` (`<config>/projects`).

    Raises:
        TranscriptsError: `root` exists but cannot be read.
    """
    listing = find_transcripts(root)
    states = _load_states(conn, None)
    stats = IngestStats()
    stats.files_seen = len(listing)
    todo = []
    for path, inode, size in listing:
        state = states.get(path)
        if state is None or state.inode != inode or state.size != size:
            todo.append(path)
    if todo:
        _ingest(conn, todo, root, stats, states)
    return stats


def ingest_files(conn: sqlite3.Connection, paths: Iterable[Path | str], root: Path | None = None) -> IngestStats:
    """Bring the ledger up to date with these transcript files (missing files are skipped)."""
    wanted = sorted({str(p) for p in paths})
    stats = IngestStats()
    stats.files_seen = len(wanted)
    if wanted:
        _ingest(conn, wanted, root, stats, _load_states(conn, wanted))
    return stats


def _load_states(conn: sqlite3.Connection, paths: Sequence[str] | None) -> dict[str, _State]:
    sql = "SELECT path, id, inode, size, offset FROM files"
    if paths is None:
        return {row[0]: _State(*row[1:]) for row in conn.execute(sql)}
    states: dict[str, _State] = {}
    for chunk in _chunks(paths):
        rows = conn.execute(f"{sql} WHERE path IN ({','.join('?' * len(chunk))})", chunk)
        states.update((row[0], _State(*row[1:])) for row in rows)
    return states


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start:start + _IN_CHUNK]


def _ingest(conn: sqlite3.Connection, paths: list[str], root: Path | None, stats: IngestStats,
            states: dict[str, _State]) -> None:
    reads = {}
    for path in paths:
        state = states.get(path)
        read = _read_new(describe(path, root), state, stats)
        if read is not None:
            reads[path] = read
    if not reads:
        return
    with transaction(conn):
        current = _load_states(conn, list(reads))
        for path, read in list(reads.items()):
            state = current.get(path)
            if (state.key() if state else None) != read.based_on:  # another process moved this file on meanwhile
                again = _read_new(read.source, state, stats)
                if again is None:
                    del reads[path]
                else:
                    reads[path] = again
        if reads:
            _write(conn, [reads[path] for path in sorted(reads)], current, stats)


def _read_new(source: FileSource, state: _State | None, stats: IngestStats) -> _Read | None:
    """The complete lines added to `source` since `state`, or None when there is nothing new (or no file)."""
    read = _Read(source, state.key() if state else None)
    try:
        with open(source.path, "rb") as fh:
            info = os.fstat(fh.fileno())
            read.inode, read.size = info.st_ino, info.st_size
            start = state.offset if state else 0
            if state is not None and (state.inode != info.st_ino or info.st_size < state.offset):
                start = 0  # replaced or truncated: its old position means nothing now
            if state is not None and start == state.offset and info.st_size == state.size:
                return None
            fh.seek(start)
            data = fh.read(info.st_size - start)
    except OSError:
        stats.unreadable += 1
        return None
    read.start = start
    read.nbytes = len(data)
    stats.files_read += 1
    stats.bytes_read += len(data)
    cut = data.rfind(b"\n") + 1
    parsed = parse_lines(data, start, cut)
    read.records, read.malformed = parsed.records, parsed.malformed
    read.new_offset = start + cut
    if cut < len(data):
        tail = parse_final_line(data[cut:], start + cut)
        if tail is not None:
            read.records.extend(tail.records)
            read.new_offset = start + len(data)
    stats.records += len(read.records)
    stats.malformed += read.malformed
    return read


class _Slot:
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


def _better(record: UsageRecord, path: str, slot: _Slot) -> bool:
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


def _write(conn: sqlite3.Connection, reads: list[_Read], states: dict[str, _State], stats: IngestStats) -> None:
    file_ids = _upsert_files(conn, reads, states)
    exact, by_message = _load_slots(conn, {r.message_id for read in reads for r in read.records if r.message_id})
    loose: list[_Slot] = []
    for read in reads:
        file_id = file_ids[read.source.path]
        if read.reset:
            conn.execute("DELETE FROM turns WHERE file_id = ? AND message_id IS NULL", (file_id,))
        for record in read.records:
            _merge(record, read.source, file_id, exact, by_message, loose)
    _write_turns(conn, list(exact.values()) + loose, stats)
    _write_tool_calls(conn, reads, file_ids)
    _record_agents(conn, reads)


def _merge(record: UsageRecord, source: FileSource, file_id: int, exact: dict[tuple[str, str], _Slot],
           by_message: dict[str, list[_Slot]], loose: list[_Slot]) -> None:
    message_id = record.message_id
    if message_id is None:
        slot = _Slot(None, None, "", False, 0, False, "", 0)
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
        slot = _Slot(None, message_id, record.request_id, False, 0, False, "", 0)
        slot.take(record, source, file_id)
        exact[(message_id, record.request_id)] = slot
        by_message.setdefault(message_id, []).append(slot)
    elif _better(record, source.path, slot):
        if slot.request_id != record.request_id:
            del exact[(message_id, slot.request_id)]
            exact[(message_id, record.request_id)] = slot
        slot.take(record, source, file_id)


def _load_slots(conn: sqlite3.Connection, message_ids: set[str]
                ) -> tuple[dict[tuple[str, str], _Slot], dict[str, list[_Slot]]]:
    exact: dict[tuple[str, str], _Slot] = {}
    by_message: dict[str, list[_Slot]] = {}
    if not message_ids or conn.execute("SELECT NOT EXISTS (SELECT 1 FROM turns)").fetchone()[0]:
        return exact, by_message
    sql = """SELECT t.id, t.message_id, t.request_id, t.is_sidechain,
                    t.input_tokens + t.output_tokens + t.cache_write_5m_tokens + t.cache_write_1h_tokens
                        + t.cache_read_tokens,
                    t.speed IS NOT NULL, f.path, t.line_offset
             FROM turns t JOIN files f ON f.id = t.file_id WHERE t.message_id IN ({})"""
    ids = sorted(message_ids)
    for chunk in _chunks(ids):
        for row in conn.execute(sql.format(",".join("?" * len(chunk))), chunk):
            slot = _Slot(row[0], row[1], row[2], bool(row[3]), row[4], bool(row[5]), row[6], row[7])
            exact[(row[1], row[2])] = slot
            by_message.setdefault(row[1], []).append(slot)
    return exact, by_message


def _upsert_files(conn: sqlite3.Connection, reads: list[_Read], states: dict[str, _State]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for read in reads:
        source = read.source
        state = states.get(source.path)
        if state is None:
            ids[source.path] = conn.execute(
                """INSERT INTO files (path, session_id, project, agent_id, inode, size, offset, usage_lines,
                       malformed_lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (source.path, source.session_id, source.project, source.agent_id, read.inode, read.size,
                 read.new_offset, len(read.records), read.malformed),
            ).fetchone()[0]
            continue
        ids[source.path] = state.id
        keep = 0 if read.reset else 1
        conn.execute(
            """UPDATE files SET inode = ?, size = ?, offset = ?, usage_lines = usage_lines * ? + ?,
                   malformed_lines = malformed_lines * ? + ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
               WHERE id = ?""",
            (read.inode, read.size, read.new_offset, keep, len(read.records), keep, read.malformed, state.id),
        )
    return ids


def _write_turns(conn: sqlite3.Connection, slots: list[_Slot], stats: IngestStats) -> None:
    inserts, updates = [], []
    for slot in slots:
        record, source = slot.record, slot.source
        if record is None or source is None:
            continue  # loaded from the ledger and not replaced
        values = (
            record.request_id, source.session_id, source.project, source.agent_id, slot.file_id, record.offset,
            record.ts, record.model, record.speed, int(record.is_sidechain), record.input_tokens,
            record.output_tokens, record.cache_write_5m_tokens, record.cache_write_1h_tokens, record.cache_read_tokens,
        )
        if slot.row_id is None:
            inserts.append((slot.message_id, *values))
        else:
            updates.append((*values, slot.row_id))
    conn.executemany(
        """INSERT INTO turns (message_id, request_id, session_id, project, agent_id, file_id, line_offset, ts, model,
               speed, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
               cache_read_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        inserts,
    )
    conn.executemany(
        """UPDATE turns SET request_id = ?, session_id = ?, project = ?, agent_id = ?, file_id = ?, line_offset = ?,
               ts = ?, model = ?, speed = ?, is_sidechain = ?, input_tokens = ?, output_tokens = ?,
               cache_write_5m_tokens = ?, cache_write_1h_tokens = ?, cache_read_tokens = ? WHERE id = ?""",
        updates,
    )
    stats.turns_added += len(inserts)
    stats.turns_replaced += len(updates)


def _write_tool_calls(conn: sqlite3.Connection, reads: list[_Read], file_ids: dict[str, int]) -> None:
    rows = []
    for read in reads:
        source, file_id = read.source, file_ids[read.source.path]
        for record in read.records:
            for tool_use_id, name in record.tools:
                plugin, server, tool = split_tool_name(name)
                rows.append((tool_use_id or None, record.message_id, source.session_id, source.agent_id, file_id,
                             record.offset, record.ts, name, plugin, server, tool))
    if rows:
        conn.executemany(
            """INSERT OR IGNORE INTO tool_calls (tool_use_id, message_id, session_id, agent_id, file_id, line_offset,
                   ts, name, plugin, server, tool) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )


def _record_agents(conn: sqlite3.Connection, reads: list[_Read]) -> None:
    """Subagent type and description from `agent-<id>.meta.json`, read once per agent (again while missing)."""
    wanted = {(r.source.session_id, r.source.agent_id): r.source.path for r in reads
              if r.source.agent_id != MAIN_AGENT}
    if not wanted:
        return
    known = set()
    for (session_id, agent_id) in wanted:
        row = conn.execute("SELECT agent_type IS NOT NULL FROM agents WHERE session_id = ? AND agent_id = ?",
                           (session_id, agent_id)).fetchone()
        if row is not None and row[0]:
            known.add((session_id, agent_id))
    for (session_id, agent_id), path in wanted.items():
        if (session_id, agent_id) in known:
            continue
        agent_type, description = read_meta(Path(path).with_name(f"agent-{agent_id}.meta.json"))
        conn.execute(
            """INSERT INTO agents (session_id, agent_id, agent_type, description) VALUES (?, ?, ?, ?)
               ON CONFLICT (session_id, agent_id) DO UPDATE SET agent_type = excluded.agent_type,
                   description = excluded.description""",
            (session_id, agent_id, agent_type, description),
        )


def read_meta(path: Path) -> tuple[str | None, str | None]:
    """(agentType, description) from a subagent's meta file; (None, None) when absent or unreadable."""
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None, None
    if not isinstance(meta, dict):
        return None, None
    agent_type, description = meta.get("agentType"), meta.get("description")
    return (agent_type if isinstance(agent_type, str) else None,
            description if isinstance(description, str) else None)
