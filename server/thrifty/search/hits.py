"""Parse rg's compact output (see rg.py) into one `FileHits` per file, sorted by path.

Only the byte blocks are split here; line numbers are parsed later, and only for the files that get shown.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

# rg's reports on binary files: "PATH: binary file matches (...)" for a named file (instead of or after its rows),
# "PATH: WARNING: stopped searching binary file after match (...)" for one met in a directory. Rows never hold ": ".
_BINARY_MATCH = b": binary file matches ("
_REPORT = b": "


@dataclass
class FileHits:
    path: str  # as rg printed it, relative to the search root, without a leading "./"
    body: bytes  # b"12:\n12:\n40:\n": one row per match occurrence
    matches: int  # occurrences, counted without parsing
    _lines: list[tuple[int, int]] | None = field(default=None, repr=False)

    def line_counts(self) -> Iterator[tuple[int, int]]:
        """(line number, occurrences on it) in rg's order (ascending), parsed lazily: a caller that can show only
        the first few hundred of a million matching lines parses only those."""
        body, pos, size = self.body, 0, len(self.body)
        line, count = 0, 0
        while pos < size:
            stop = body.find(b":\n", pos)
            if stop < 0:
                break
            row = int(body[pos:stop])
            pos = stop + 2
            if row == line:
                count += 1
                continue
            if count:
                yield line, count
            line, count = row, 1
        if count:
            yield line, count

    def match_lines(self) -> list[tuple[int, int]]:
        """(line number, occurrences on it), ascending."""
        if self._lines is None:
            counts = Counter(int(row) for row in self.body.split(b":\n") if row)
            self._lines = sorted(counts.items())
        return self._lines


@dataclass
class ParsedOutput:
    files: list[FileHits]
    binary: list[str]  # files skipped because they are binary


def parse(output: bytes) -> ParsedOutput:
    """Group rg's output per file; a truncated tail (timeout, output cap) is dropped up to the last full row."""
    output = output[: output.rfind(b"\n") + 1]
    segments = output.split(b"\0")
    files: dict[str, FileHits] = {}
    binary: list[str] = []
    path = _take_path(segments[0], binary) if len(segments) > 1 else None
    _junk(segments[0] if len(segments) == 1 else b"", binary)
    for index, segment in enumerate(segments[1:], start=1):
        last = index == len(segments) - 1
        end = segment.find(b"\n\n")
        body, rest = (segment, b"") if end < 0 else (segment[: end + 1], segment[end + 2 :])
        if path is not None:
            _add(files, binary, path, body)
        if last:
            _junk(rest, binary)
            path = None
        else:
            path = _take_path(rest, binary)
    return ParsedOutput(sorted(files.values(), key=lambda f: f.path), binary)


def _add(files: dict[str, FileHits], binary: list[str], path: str, body: bytes) -> None:
    if _REPORT in body:
        binary.append(path)
        return
    if path not in files and body:  # the same file reached through two overlapping paths counts once
        files[path] = FileHits(path, body, body.count(b"\n"))


def _take_path(block: bytes, binary: list[str]) -> str:
    """The path that precedes a NUL; reports of skipped binary files may come before it."""
    cut = block.rfind(b"\n\n")
    if cut >= 0:
        _junk(block[: cut + 1], binary)
        block = block[cut + 2 :]
    return _clean(block)


def _junk(block: bytes, binary: list[str]) -> None:
    binary.extend(_clean(line.split(_BINARY_MATCH)[0]) for line in block.split(b"\n") if _BINARY_MATCH in line)


def _clean(raw: bytes) -> str:
    path = os.fsdecode(raw)
    return path[2:] if path.startswith("./") else path
