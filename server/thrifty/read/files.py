"""Safe, streaming access to one file: binary and non-UTF-8 files are refused with a clear message, lines are counted
and line ranges read chunk by chunk, so a 1 GB file (even one made of a single line) is never loaded whole.

Lines are split on "\\n" only (a trailing "\\r" is dropped), as ripgrep and `ast` number them.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from thrifty import confine
from thrifty.confine import display_path
from thrifty.errors import ToolError
from thrifty.textout import MAX_LINE_CHARS, clip_line

SNIFF_BYTES = 8192  # a NUL byte in this prefix means binary, as git and ripgrep decide
CHUNK_BYTES = 1 << 20
WHOLE_MAX_LINES = 400  # a whole-file item above either limit gets an outline and its first lines instead
WHOLE_MAX_BYTES = 24 * 1024
TEXT_OF_MAX_BYTES = 8 * 1024 * 1024  # text_of's bound: search reads files up to this size whole
OUTLINE_MAX_BYTES = 4 * 1024 * 1024  # larger files are not parsed for definitions (ast on 4 MB takes ~1 s)
MAX_LINE_BYTES = MAX_LINE_CHARS * 4 + 64  # enough for a clipped line of multi-byte characters; the rest is counted
_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8 bytes that do not start a character


class NotText(ToolError):
    """A binary or non-UTF-8 file: it cannot be shown as numbered lines."""


@dataclass(frozen=True)
class TextFile:
    root: Path  # every read of `path` is confined to it (confine.open_beneath)
    path: Path
    size: int  # bytes
    total_lines: int

    @property
    def small(self) -> bool:
        """Small enough to be shown whole when asked for as a whole file."""
        return self.total_lines <= WHOLE_MAX_LINES and self.size <= WHOLE_MAX_BYTES


def inspect(root: Path, path: Path, shown_as: str) -> TextFile:
    """Size and line count of a regular UTF-8 text file inside `root`; `shown_as` names it in error messages.

    Raises:
        NotText: binary (NUL byte in the first 8 KiB) or not valid UTF-8.
        ToolError: outside the root when opened, not a regular file (a FIFO would block a read) or unreadable.
    """
    with open_file(root, path, shown_as) as handle:
        info = os.fstat(handle.fileno())
        key = (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        total = _COUNTS.get(key)
        if total is None:
            try:
                total = _count_lines(handle, info.st_size)
            except OSError as exc:
                raise ToolError(f"{shown_as}: cannot read it ({exc.strerror or exc})") from exc
            except _BadFile as exc:
                raise NotText(f"{shown_as}: {exc}") from None
            if len(_COUNTS) >= _COUNTS_KEPT:
                _COUNTS.pop(next(iter(_COUNTS)))
            _COUNTS[key] = total
    return TextFile(root, path, info.st_size, total)


def open_file(root: Path, path: Path, shown_as: str) -> BinaryIO:
    """The one way project files are opened for reading: confined on the open descriptor (no check-then-use race)."""
    return confine.open_file(root, path, shown_as)


class _BadFile(Exception):
    pass


_COUNTS: dict[tuple[str, int, int, int, int], int] = {}  # (path, dev, inode, size, mtime) -> lines, for repeated items
_COUNTS_KEPT = 256


def _count_lines(handle: BinaryIO, size: int) -> int:
    """Lines in the file, validating UTF-8 on the way."""
    newlines = 0
    last = b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    while chunk := handle.read(CHUNK_BYTES):
        if first and b"\0" in chunk[:SNIFF_BYTES]:
            raise _BadFile(f"binary file ({size:,} bytes, NUL byte in the first 8 KiB); not shown")
        first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = newlines + chunk.count(b"\n", 0, exc.start) + 1
            raise _BadFile(
                f"not UTF-8 text (byte 0x{chunk[exc.start]:02x} on line {line} is invalid); "
                "convert it to UTF-8 to read it here"
            ) from None
        newlines += chunk.count(b"\n")
        last = chunk[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _BadFile("not UTF-8 text (the file ends inside a multi-byte character)") from None
    return newlines + (1 if last and last != b"\n" else 0)


def read_lines(root: Path, path: Path, start: int, end: int, max_chars: int | None = None) -> list[str]:
    """Lines `start`..`end` (1-based, inclusive) of `path`, opened confined to `root`; see `lines_from`."""
    with open_file(root, path, display_path(root, path)) as handle:
        return lines_from(handle, start, end, max_chars)


def lines_from(handle: BinaryIO, start: int, end: int, max_chars: int | None = None) -> list[str]:
    """Lines `start`..`end` (1-based, inclusive), streamed, each clipped once (textout.clip_line) to show.

    A line over MAX_LINE_BYTES is kept only that far; the characters after are counted, not kept, so the clip marker
    says exactly how many were left out. With `max_chars`, reading stops after the first line that brings the total
    (as shown) past it: a budget's worth.
    """
    out: list[str] = []
    chars = 0
    line_no = 1
    kept = bytearray()
    unread = 0  # characters of the current line past its first MAX_LINE_BYTES bytes
    last = b""  # the current line's last byte so far
    while chunk := handle.read(CHUNK_BYTES):
        if line_no < start:
            newlines = chunk.count(b"\n")
            if line_no + newlines < start:  # the whole chunk lies before the range
                line_no += newlines
                continue
        parts = chunk.split(b"\n")
        for index, part in enumerate(parts):
            if start <= line_no and part:
                room = max(MAX_LINE_BYTES - len(kept), 0)
                kept += part[:room]
                if len(part) > room:
                    unread += _chars(part[room:])
                last = part[-1:]
            if index == len(parts) - 1:
                break  # the line goes on in the next chunk
            if start <= line_no:
                out.append(_shown_line(kept, unread, last, line_no))
                chars += len(out[-1]) + 1
                kept, unread, last = bytearray(), 0, b""
            line_no += 1
            if line_no > end or (max_chars is not None and chars > max_chars):
                return out
    if start <= line_no <= end and kept:
        out.append(_shown_line(kept, unread, last, line_no))
    return out


def text_of(handle: BinaryIO, max_bytes: int = TEXT_OF_MAX_BYTES) -> str:
    """The rest of the open file as text, a BOM dropped: at most `max_bytes`, so a file that grew after its size
    was checked cannot be read without bound (callers keep this to files of a few MB)."""
    return handle.read(max_bytes).decode("utf-8", "replace").removeprefix("\ufeff")


def _shown_line(raw: bytearray, unread: int, last: bytes, line_no: int) -> str:
    """The line as shown: decoded, clipped, the marker counting the characters never read as well."""
    if not unread:
        text = raw.decode("utf-8", "replace").removesuffix("\r")
        return clip_line(text.removeprefix("\ufeff") if line_no == 1 else text)
    text = raw.decode("utf-8", "ignore")  # the cut may split a character: drop its first bytes, count it unread
    unread += _chars(raw) - len(text) - (last == b"\r")
    return clip_line(text.removeprefix("\ufeff") if line_no == 1 else text, unread=unread)


def _chars(data: bytes | bytearray) -> int:
    """UTF-8 characters in `data`: every byte but a continuation byte starts one."""
    return len(data.translate(None, _CONTINUATION))
