"""Read the lines of a matching file: whole when small enough, else streamed up to the last line needed.

Lines are split on "\\n" only, as ripgrep numbers them (str.splitlines would also split on \\f, \\x1c, U+2028...).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from thrifty.read import files
from thrifty.textout import clip_line

FULL_READ_BYTES = 8 * 1024 * 1024  # bigger files are streamed and get no symbol outline


@dataclass
class FileText:
    lines: dict[int, str] | list[str]  # list: the whole file as read (index 0 is line 1); dict: lines 1..N, clipped
    total: int | None  # None when the file was streamed and not read to its end
    size: int  # bytes
    raw: dict[int, str] = field(default_factory=dict[int, str])  # kept lines as read, where `lines` holds them clipped

    @property
    def whole(self) -> bool:
        return isinstance(self.lines, list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) if isinstance(self.lines, list) else ""

    def get(self, line: int) -> str:
        """The line as read, for matching; a streamed line was read only in part and comes clipped."""
        if isinstance(self.lines, list):
            return self.lines[line - 1]
        return self.raw.get(line) or self.lines.get(line, "")

    def shown(self, line: int) -> str:
        """The line as the model sees it: clipped once to MAX_LINE_CHARS, the cut marked."""
        return clip_line(self.lines[line - 1]) if isinstance(self.lines, list) else self.lines.get(line, "")

    def keep(self, ranges: Iterable[tuple[int, int]], matches: Iterable[int]) -> FileText:
        """Only the lines of `ranges` (1-based, inclusive) as shown, and the `matches` among them as read: what a
        page needs of a file held whole, so that the files waiting to be laid out cost their windows, not their
        size (a page over many multi-megabyte files of short lines held them all, several hundred MB)."""
        if not isinstance(self.lines, list):
            return self
        shown = {n: self.shown(n) for start, end in ranges for n in range(start, min(end, len(self.lines)) + 1)}
        raw = {n: self.lines[n - 1] for n in matches if n in shown and shown[n] != self.lines[n - 1]}
        return FileText(shown, self.total, self.size, raw)


def read_file_text(root: Path, path: Path, last_needed: int, shown_as: str = "") -> FileText:
    """The file's lines; a file over FULL_READ_BYTES yields only lines 1..last_needed, streamed.

    The text shown is only ever what this read returns, through the confined open (rg reports line numbers, never
    text), so a file swapped for a link out of the root after rg saw it is refused here, not shown.

    Raises:
        ToolError: outside the root when opened, not a regular file (swapped for a FIFO since rg saw it) or unreadable.
    """
    with files.open_file(root, path, shown_as or path.name) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= FULL_READ_BYTES:
            text = files.text_of(handle)
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if "\r" in text:  # else no second list of a million lines
                lines = [line.removesuffix("\r") for line in lines]
            del text
            return FileText(lines, len(lines), size)
        lines = files.lines_from(handle, 1, last_needed + 1)  # one line more: does the file end at last_needed?
    total = len(lines) if len(lines) <= last_needed else None
    return FileText(dict(enumerate(lines[:last_needed], start=1)), total, size)
