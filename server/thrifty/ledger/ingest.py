"""Incremental ingestion: read only the new complete lines of each transcript and merge their usage into `turns`.

Each file's read position is stored with the rows it produced, in the same transaction, so a crash can neither
double count nor skip. Files are read outside the write lock; under it, any file another process advanced meanwhile
is re-read from its new position. A last line without its newline is left for the next run unless it is already a
complete JSON document. A file that shrank or was replaced (new inode) is read again from the start. Copies of one
response are merged by `dedupe`.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from thrifty import logfile
from thrifty.ledger import rollup
from thrifty.ledger.db import connect, ledger_file, transaction
from thrifty.ledger.dedupe import Slot, chunks, load_slots, merge
from thrifty.ledger.files import (
    MAIN_AGENT,
    FileSource,
    TranscriptsError,
    describe,
    find_transcripts,
    read_meta,
    session_files,
)
from thrifty.ledger.fork import can_fork, share
from thrifty.ledger.scan import scan
from thrifty.ledger.transcripts import UsageRecord, split_tool_name

__all__ = [
    "MAIN_AGENT", "FileSource", "IngestStats", "TranscriptsError", "describe", "find_transcripts", "ingest_files",
    "ingest_tree", "session_files",
]


SHARE_AFTER_BYTES = 32 << 20  # new bytes before a forked helper pays for itself (about 0.1 s of parsing)
MINE_SHARE = 0.40  # of the bytes, parsed here: this process also writes its rows (and rolls them up) meanwhile


class IngestStats:
    """What one ingestion did; `malformed` counts lines that were not valid JSON (skipped, never fatal)."""

    __slots__ = ("files_seen", "files_read", "bytes_read", "records", "malformed", "turns_added", "turns_replaced",
                 "unreadable", "implausible")

    def __init__(self) -> None:
        self.files_seen = self.files_read = self.bytes_read = self.records = self.malformed = 0
        self.turns_added = self.turns_replaced = self.unreadable = self.implausible = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


class _State:
    __slots__ = ("id", "inode", "size", "offset")

    def __init__(self, file_id: int, inode: int, size: int, offset: int) -> None:
        self.id, self.inode, self.size, self.offset = file_id, inode, size, offset

    def key(self) -> tuple[int, int, int]:
        return self.inode, self.size, self.offset


class _Read:
    """The new part of one file: its records and where the next read starts."""

    __slots__ = ("source", "based_on", "inode", "size", "start", "new_offset", "records", "malformed", "implausible",
                 "meta")

    def __init__(self, source: FileSource, based_on: tuple[int, int, int] | None) -> None:
        self.source = source
        self.based_on = based_on
        self.inode = self.size = self.start = self.new_offset = self.malformed = 0
        self.records: list[UsageRecord] = []
        self.implausible: list[tuple[int, str]] = []
        # A new subagent file's (agentType, description), read with it outside the write lock; None: not read yet.
        self.meta: tuple[str | None, str | None] | None = None

    @property
    def reset(self) -> bool:
        return self.start == 0 and self.based_on is not None and self.based_on[2] > 0


def ingest_tree(conn: sqlite3.Connection, root: Path, workers: int = 1) -> IngestStats:
    """Bring the ledger up to date with every transcript under `root` (`<config>/projects`).

    With `workers` > 1, a first ingest of a large history is shared with a forked process (`ledger.fork`): it parses
    the later files while this one parses and writes the earlier ones, then writes its own after them.

    Raises:
        TranscriptsError: `root` exists but cannot be read.
    """
    listing = find_transcripts(root)
    states = _load_states(conn, None)
    stats = IngestStats()
    stats.files_seen = len(listing)
    todo: list[tuple[str, int]] = []  # path, bytes to read at most
    for path, inode, size in listing:
        state = states.get(path)
        if state is None or state.inode != inode or state.size != size:
            todo.append((path, size - state.offset if state is not None and state.inode == inode else size))
    if len(todo) > 1 and workers > 1 and can_fork() and sum(size for _, size in todo) >= SHARE_AFTER_BYTES:
        _ingest_shared(conn, todo, root, stats, states)
    elif todo:
        _ingest(conn, [path for path, _ in todo], root, stats, states)
    return stats


def _ingest_shared(conn: sqlite3.Connection, todo: list[tuple[str, int]], root: Path, stats: IngestStats,
                   states: dict[str, _State]) -> None:
    """`_ingest` of the first files here and of the rest in a forked process that writes after this one commits (so
    rows come out as a single pass would write them); whatever the child could not do is done here after it."""
    cut, seen, total = 0, 0, sum(size for _, size in todo)
    while cut < len(todo) - 1 and seen + todo[cut][1] <= total * MINE_SHARE:
        seen += todo[cut][1]
        cut += 1
    mine, theirs = [path for path, _ in todo[:cut]], [path for path, _ in todo[cut:]]
    database = ledger_file(conn)

    def parse_theirs() -> tuple[dict[str, _Read], IngestStats]:
        theirs_stats = IngestStats()
        return _read_all(theirs, root, states, theirs_stats), theirs_stats

    def write_theirs(parsed: tuple[dict[str, _Read], IngestStats]) -> dict[str, int]:
        reads, theirs_stats = parsed
        helper = connect(database, migrate=False)  # never the parent's connection across a fork
        try:
            _commit(helper, reads, theirs_stats)
        finally:
            helper.close()
        return theirs_stats.as_dict()

    with share(parse_theirs, write_theirs) as shared:
        _ingest(conn, mine, root, stats, states)
    if shared.done:
        for name, value in shared.counts.items():
            if name != "files_seen":
                setattr(stats, name, getattr(stats, name) + value)
    else:
        _ingest(conn, theirs, root, stats, _load_states(conn, theirs))


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
    for chunk in chunks(paths):
        rows = conn.execute(f"{sql} WHERE path IN ({','.join('?' * len(chunk))})", chunk)
        states.update((row[0], _State(*row[1:])) for row in rows)
    return states


def _ingest(conn: sqlite3.Connection, paths: list[str], root: Path | None, stats: IngestStats,
            states: dict[str, _State]) -> None:
    _commit(conn, _read_all(paths, root, states, stats), stats)


def _read_all(paths: list[str], root: Path | None, states: dict[str, _State], stats: IngestStats
              ) -> dict[str, _Read]:
    """The new part of each file (outside any lock), by path; files with nothing new are left out."""
    reads: dict[str, _Read] = {}
    for path in paths:
        read = _read_new(describe(path, root), states.get(path), stats)
        if read is not None:
            reads[path] = read
    return reads


def _commit(conn: sqlite3.Connection, reads: dict[str, _Read], stats: IngestStats) -> None:
    """Write `reads` in one transaction; a file another process moved on since it was read is read again first."""
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
        with _open_regular(source.path) as fh:
            info = os.fstat(fh.fileno())
            read.inode, read.size = info.st_ino, info.st_size
            start = state.offset if state else 0
            if state is not None and (state.inode != info.st_ino or info.st_size < state.offset):
                start = 0  # replaced or truncated: its old position means nothing now
            if state is not None and start == state.offset and info.st_size == state.size:
                return None
            found = scan(fh, start, info.st_size)
    except OSError:
        stats.unreadable += 1
        return None
    read.start = start
    stats.files_read += 1
    stats.bytes_read += info.st_size - start
    read.records, read.malformed = found.result.records, found.result.malformed
    read.new_offset = found.next_offset
    read.implausible = found.result.implausible
    if state is None and source.agent_id != MAIN_AGENT:
        read.meta = read_meta(_meta_path(source.path, source.agent_id))
    stats.records += len(read.records)
    stats.malformed += read.malformed
    return read


def _open_regular(path: str) -> BinaryIO:
    """The transcript opened for reading without ever blocking: O_NONBLOCK keeps a FIFO from waiting for a writer,
    and anything but a regular file is refused (an OSError, counted as unreadable)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _write(conn: sqlite3.Connection, reads: list[_Read], states: dict[str, _State], stats: IngestStats) -> None:
    file_ids = _upsert_files(conn, reads, states)
    exact, by_message = load_slots(conn, {r.message_id for read in reads for r in read.records if r.message_id})
    loose: list[Slot] = []
    for read in reads:
        file_id = file_ids[read.source.path]
        if read.reset:
            conn.execute("DELETE FROM turns WHERE file_id = ? AND message_id IS NULL", (file_id,))
        for record in read.records:
            merge(record, read.source, file_id, exact, by_message, loose)
    _write_turns(conn, list(exact.values()) + loose, stats)
    rollup.catch_up(conn)
    stats.implausible += record_implausible(conn, reads)
    _write_tool_calls(conn, reads, file_ids)
    _record_agents(conn, reads)


def _upsert_files(conn: sqlite3.Connection, reads: list[_Read], states: dict[str, _State]) -> dict[str, int]:
    new = [read for read in reads if read.source.path not in states]
    conn.executemany(
        """INSERT INTO files (path, session_id, project, agent_id, inode, size, offset, usage_lines, malformed_lines)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(r.source.path, r.source.session_id, r.source.project, r.source.agent_id, r.inode, r.size, r.new_offset,
          len(r.records), r.malformed) for r in new])
    ids: dict[str, int] = {}
    for paths in chunks([read.source.path for read in new]):
        ids.update(conn.execute(f"SELECT path, id FROM files WHERE path IN ({', '.join('?' * len(paths))})", paths))
    known = [(read, states[read.source.path]) for read in reads if read.source.path in states]
    ids.update((read.source.path, state.id) for read, state in known)
    conn.executemany(
        """UPDATE files SET inode = ?, size = ?, offset = ?, usage_lines = usage_lines * ? + ?,
               malformed_lines = malformed_lines * ? + ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
           WHERE id = ?""",
        [(read.inode, read.size, read.new_offset, keep, len(read.records), keep, read.malformed, state.id)
         for read, state in known for keep in (0 if read.reset else 1,)])
    return ids


def _write_turns(conn: sqlite3.Connection, slots: list[Slot], stats: IngestStats) -> None:
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    for slot in slots:
        record, source = slot.record, slot.source
        if record is None or source is None:
            continue  # loaded from the ledger and not replaced
        values = (
            record.request_id, source.session_id, source.project, source.agent_id, slot.file_id, record.offset,
            record.ts, record.model, record.speed, int(record.is_sidechain), record.input_tokens,
            record.output_tokens, record.cache_write_5m_tokens, record.cache_write_1h_tokens, record.cache_read_tokens,
            record.git_branch,
        )
        if slot.row_id is None:
            inserts.append((slot.message_id, *values))
        else:
            updates.append((*values, slot.row_id))
    conn.executemany(
        """INSERT INTO turns (message_id, request_id, session_id, project, agent_id, file_id, line_offset, ts, model,
               speed, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
               cache_read_tokens, git_branch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        inserts,
    )
    conn.executemany(
        """UPDATE turns SET request_id = ?, session_id = ?, project = ?, agent_id = ?, file_id = ?, line_offset = ?,
               ts = ?, model = ?, speed = ?, is_sidechain = ?, input_tokens = ?, output_tokens = ?,
               cache_write_5m_tokens = ?, cache_write_1h_tokens = ?, cache_read_tokens = ?, git_branch = ?
           WHERE id = ?""",
        updates,
    )
    stats.turns_added += len(inserts)
    stats.turns_replaced += len(updates)


def _write_tool_calls(conn: sqlite3.Connection, reads: list[_Read], file_ids: dict[str, int]) -> None:
    rows: list[tuple[object, ...]] = []
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
    wanted = {(r.source.session_id, r.source.agent_id): r for r in reads if r.source.agent_id != MAIN_AGENT}
    if not wanted:
        return
    known: set[tuple[str, str]] = set()
    for sessions in chunks(sorted({session_id for session_id, _ in wanted})):
        known.update(conn.execute(
            f"SELECT session_id, agent_id FROM agents WHERE agent_type IS NOT NULL "
            f"AND session_id IN ({', '.join('?' * len(sessions))})", sessions))
    rows = [(session_id, agent_id, *(read.meta or read_meta(_meta_path(read.source.path, agent_id))))
            for (session_id, agent_id), read in wanted.items() if (session_id, agent_id) not in known]
    conn.executemany(
        """INSERT INTO agents (session_id, agent_id, agent_type, description) VALUES (?, ?, ?, ?)
           ON CONFLICT (session_id, agent_id) DO UPDATE SET agent_type = excluded.agent_type,
               description = excluded.description""",
        rows,
    )


def _meta_path(transcript: str, agent_id: str) -> Path:
    return Path(transcript).with_name(f"agent-{agent_id}.meta.json")


def record_implausible(conn: sqlite3.Connection, reads: list[_Read]) -> int:
    """Usage lines refused for counts no turn can have: logged as a warning and kept for the report's notes."""
    rows = [(read.source.path, offset, why) for read in reads for offset, why in read.implausible]
    for path, offset, why in rows:
        logfile.append("ingest", f"warning: {why} at byte {offset} of {path}; line skipped")
    conn.executemany("INSERT OR IGNORE INTO implausible_usage (path, line_offset, reason) VALUES (?, ?, ?)", rows)
    return len(rows)
