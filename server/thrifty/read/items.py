"""Parse one read_many item: `path`, `path:START-END` (1-based, inclusive), `path:START-` (to the end), `path:LINE`,
`path#Name` (`Class.method`) or a GitHub-style `path#L10-L20`.

A string that names an existing file as a whole wins over any reading of `:` or `#` in it, so odd names still read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from thrifty.errors import ToolError

_RANGE = re.compile(r"^(?P<path>.+?):[ \t]*(?P<start>\d+)[ \t]*(?:(?P<dash>-)[ \t]*(?P<end>\d*))?[ \t]*$")
_ANCHOR = re.compile(r"^(?P<path>.+?)#L(?P<start>\d+)(?:-L?(?P<end>\d+))?$")
_SYMBOL = re.compile(r"^(?P<path>.+)#(?P<name>[A-Za-z_$~][\w$.:~]*[?!=]?)$")


@dataclass(frozen=True)
class Item:
    raw: str  # as the caller wrote it
    path: str
    start: int | None = None  # None: the whole file (or the symbol)
    end: int | None = None  # None with a start: to the end of the file
    symbol: str | None = None

    @property
    def is_whole(self) -> bool:
        return self.start is None and self.symbol is None


def parse_item(raw: str, is_file: Callable[[str], bool]) -> Item:
    """The item `raw`; `is_file(path)` says whether a path names an existing file (checked for odd names first).

    Raises:
        ToolError: empty item, line 0, or START > END.
    """
    text = raw.strip()
    if not text:
        raise ToolError("empty item: give a path, path:START-END or path#Name")
    if is_file(text):
        return Item(raw, text)
    anchor = _ANCHOR.match(text)
    match = anchor or _RANGE.match(text)
    if match:
        start = int(match.group("start"))
        end_text = match.group("end")
        end = int(end_text) if end_text else (None if (anchor is None and match.group("dash")) else start)
        if start < 1 or (end is not None and end < 1):
            raise ToolError(f"{raw}: line numbers start at 1")
        if end is not None and start > end:
            raise ToolError(f"{raw}: START ({start}) is after END ({end}); write {match.group('path')}:{end}-{start}")
        return Item(raw, match.group("path").rstrip(), start, end)
    symbol = _SYMBOL.match(text)
    if symbol:
        return Item(raw, symbol.group("path"), symbol=symbol.group("name"))
    return Item(raw, text)
