"""Shared lexing for the heuristic finders: strings and comments blanked out (same length, newlines kept), line
numbers by offset, and the definitions still open while scanning."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from thrifty.symbols.symbol import Symbol

_NOT_NEWLINE = re.compile(r"[^\n]")
C_COMMENTS = r"//[^\n]*|/\*(?s:.*?)(?:\*/|\Z)"
DQ = r'"(?:\\.|[^"\\\n])*"?'  # unterminated strings stop at the line end
SQ = r"'(?:\\.|[^'\\\n])*'?"
CHAR = r"'(?:\\[^\n]{1,10}?|[^'\\\n])'"  # a char literal; a lone ' (Rust lifetime, Kotlin none) stays code
HASH_COMMENT = r"#[^\n]*"


def mask(text: str, lexemes: re.Pattern[str], multiline: list[tuple[int, int]] | None = None) -> str:
    """`text` with every string and comment replaced by spaces, same length, newlines kept.

    When `multiline` is given, the (start, end) offsets of lexemes spanning several lines are appended to it.
    """
    parts: list[str] = []
    last = 0
    for m in lexemes.finditer(text):
        start, end = m.span()
        if start == end:
            continue
        parts.append(text[last:start])
        token = m.group()
        parts.append(_NOT_NEWLINE.sub(" ", token))
        if multiline is not None and "\n" in token:
            multiline.append((start, end))
        last = end
    parts.append(text[last:])
    return "".join(parts)


class Lines:
    """Offset <-> 1-based line number for one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def count(self) -> int:
        return len(self.starts)


# --- brace languages -------------------------------------------------------------------------------------------------




@dataclass
class Open:
    symbol: Symbol
    end_offset: int
    body_open: int | None  # offset of the body's `{`, None for body-less definitions
    kind: str

