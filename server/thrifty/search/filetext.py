"""Read the lines of a matching file: whole when small enough, else streamed up to the last line needed.

Lines are split on "\\n" only, as ripgrep numbers them (str.splitlines would also split on \\f, \\x1c, U+2028...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from thrifty.textout import MAX_LINE_CHARS

FULL_READ_BYTES = 8 * 1024 * 1024  # bigger files are streamed and get no symbol outline
_LINE_READ_BYTES = MAX_LINE_CHARS * 4 + 64  # enough bytes for a clipped line of multi-byte characters


@dataclass
class FileText:
    lines: dict[int, str] | list[str]  # list: the whole file (index 0 is line 1); dict: only the lines asked for
    total: int | None  # None when the file was streamed and not read to its end

    @property
    def whole(self) -> bool:
        return isinstance(self.lines, list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) if isinstance(self.lines, list) else ""

    def get(self, line: int) -> str:
        if isinstance(self.lines, list):
            return self.lines[line - 1]
        return self.lines.get(line, "")


def read_file_text(path: Path, last_needed: int) -> FileText:
    """The file's lines; a file over FULL_READ_BYTES yields only lines 1..last_needed, each clipped in bytes."""
    if path.stat().st_size <= FULL_READ_BYTES:
        data = path.read_bytes().decode("utf-8", "replace")
        lines = data.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return FileText([line.removesuffix("\r") for line in lines], len(lines))
    return _stream(path, last_needed)


def _stream(path: Path, last_needed: int) -> FileText:
    kept: dict[int, str] = {}
    number = 0
    with path.open("rb") as handle:
        while number < last_needed:
            raw = handle.readline(_LINE_READ_BYTES)
            if not raw:
                return FileText(kept, number)
            number += 1
            text = raw.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
            if not raw.endswith(b"\n"):
                skipped = _skip_rest_of_line(handle)
                if skipped:  # clipped here so that textout.clip_line leaves the byte count intact
                    prefix = text[: MAX_LINE_CHARS - 40]
                    omitted = skipped + len(raw) - len(prefix.encode("utf-8", "replace"))
                    text = f"{prefix}… [{omitted} bytes omitted]"
            kept[number] = text
        at_end = not handle.read(1)
    return FileText(kept, number if at_end else None)


def _skip_rest_of_line(handle: BinaryIO) -> int:
    """Consume the rest of a long line without keeping it; return how many bytes it had."""
    skipped = 0
    while chunk := handle.readline(1 << 20):
        if chunk.endswith(b"\n"):
            return skipped + len(chunk) - 1
        skipped += len(chunk)
    return skipped
