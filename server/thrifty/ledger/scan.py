"""Read the new bytes of one transcript in bounded blocks and parse its complete usage lines.

Memory stays bounded whatever the file holds: a line longer than `LONG_LINE` (a `file-history-snapshot` line can be
hundreds of MB; ccusage#873 crashed on one) is scanned block by block for the usage marker and dropped as it goes;
only if it does carry usage is it read back whole from the file to be decoded.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from thrifty.ledger.transcripts import USAGE_MARKER, ParseResult, parse_final_line, parse_lines

READ_BLOCK = 8 << 20
LONG_LINE = 32 << 20
_OVERLAP = len(USAGE_MARKER) - 1  # bytes kept from a dropped piece: the marker may straddle two blocks


class Scan:
    """What a read of `[start, end)` found: records, malformed lines, and where the next read starts."""

    __slots__ = ("result", "next_offset")

    def __init__(self, start: int) -> None:
        self.result = ParseResult()
        self.next_offset = start

    def add(self, parsed: ParseResult) -> None:
        self.result.records.extend(parsed.records)
        self.result.malformed += parsed.malformed
        self.result.rejected += parsed.rejected
        self.result.implausible += parsed.implausible


def scan(fh: BinaryIO, start: int, end: int) -> Scan:
    """The usage in the complete lines of `fh[start:end]`; a last line without its newline counts only when it is
    already one complete JSON document no longer than `LONG_LINE` (a longer one waits for its newline).
    `next_offset` is just past the last line consumed."""
    found = Scan(start)
    fh.seek(start)
    buf, buf_at = b"", start  # buf is the file from buf_at on, starting at a line start
    long_line: tuple[int, bool, bytes] | None = None  # (its offset, marker seen, last bytes) while dropping one
    at = start
    while at < end:
        block = fh.read(min(READ_BLOCK, end - at))
        if not block:
            break  # the file shrank under us: what was read so far still stands
        block_at, at = at, at + len(block)
        if long_line is not None:
            line_at, seen, tail = long_line
            newline = block.find(b"\n")
            piece = tail + (block if newline < 0 else block[:newline])
            seen = seen or USAGE_MARKER in piece
            if newline < 0:
                long_line = (line_at, seen, piece[-_OVERLAP:])
                continue
            line_end = block_at + newline
            if seen:
                found.add(parse_lines(os.pread(fh.fileno(), line_end - line_at, line_at), line_at))
            found.next_offset = line_end + 1
            long_line = None
            buf, buf_at = block[newline + 1:], line_end + 1
        else:
            buf += block
        cut = buf.rfind(b"\n") + 1
        if cut:
            found.add(parse_lines(buf, buf_at, cut))
            buf, buf_at = buf[cut:], buf_at + cut
            found.next_offset = buf_at
        if len(buf) > LONG_LINE:
            long_line = (buf_at, USAGE_MARKER in buf, buf[-_OVERLAP:])
            buf = b""
    if long_line is None and buf:
        tail_result = parse_final_line(buf, buf_at)
        if tail_result is not None:
            found.add(tail_result)
            found.next_offset = buf_at + len(buf)
    return found
