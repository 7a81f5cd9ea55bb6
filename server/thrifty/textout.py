"""The plain text the model reads: numbered lines under a header per file, notes, and a token budget.

Tokens are estimated, never counted: one token per `CHARS_PER_TOKEN` characters, rounded up. Claude's tokenizers
average 3.5 to 4 characters per token on code and the 4.7+ tokenizer about 30% more tokens than older ones, so
3 characters per token over-counts, which is the safe side for a budget that must never be exceeded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from thrifty.errors import ToolError

CHARS_PER_TOKEN = 3
DEFAULT_MAX_TOKENS = 6000  # Claude Code warns above 10,000 tokens; stay well below even with a pessimistic estimate
MIN_MAX_TOKENS = 200
MAX_MAX_TOKENS = 60000
MAX_LINE_CHARS = 400  # a minified line must not eat the budget; the cut is marked on the line itself


def check_max_tokens(max_tokens: int) -> None:
    """Every tool takes the same budget range; the model is told it rather than being silently capped."""
    if not MIN_MAX_TOKENS <= max_tokens <= MAX_MAX_TOKENS:
        raise ToolError(f"max_tokens must be between {MIN_MAX_TOKENS} and {MAX_MAX_TOKENS}, not {max_tokens}")


def plural(count: int, noun: str) -> str:
    """'1 line', '2 lines', '1,234 lines'."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def estimate_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def clip_line(line: str, limit: int = MAX_LINE_CHARS, unread: int = 0) -> str:
    """`line` cut to `limit` characters, the cut marked with how many were left out; `unread` counts the characters
    of the line after `line` that were never read (a huge line is read only in part)."""
    omitted = max(len(line) - limit, 0) + unread
    if not omitted:
        return line
    return f"{line[:limit]}… [{omitted} chars omitted]"


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with every control character escaped (`\\n`, `\\x1b`, `\\u2028`), so a file name, or a note that
    quotes one, can never start a line of its own and forge a header or a numbered line."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\n\r":
        return "\\n" if char == "\n" else "\\r"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut: for notes and labels, not code."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def numbered(lines: Iterable[str], first: int, width: int | None = None) -> list[str]:
    """`lines` prefixed with their 1-based numbers, starting at `first`, right-aligned to a common width.

    The lines come clipped (clip_line) by whoever read them, the one place that knows how long each really is.
    """
    rows = list(lines)
    width = width or len(str(first + max(len(rows) - 1, 0)))
    return [f"{first + i:>{width}} {line}" for i, line in enumerate(rows)]


def header(path: str, start: int | None, end: int | None, total: int | None, label: str = "") -> str:
    """`== path:START-END of TOTAL label ==`: which file, which lines are shown, how long the file is."""
    shown = f":{start}-{end}" if start is not None and end is not None else ""
    size = f" of {total}" if total is not None else ""
    extra = f" {label}" if label else ""
    return one_line(f"== {path}{shown}{size}{extra} ==")


def lines_within(lines: Iterable[str], room: int) -> int:
    """How many leading `lines`, each with its newline, fit in `room` characters."""
    taken = 0
    for line in lines:
        room -= len(line) + 1
        if room < 0:
            break
        taken += 1
    return taken


class Budget:
    """Characters left for a tool's text; what does not fit is counted so the caller can say what was omitted."""

    def __init__(self, max_tokens: int, reserve_tokens: int = 60) -> None:
        # The reserve keeps room for the closing "omitted" notes, which must always fit.
        self.limit = max(max_tokens - reserve_tokens, 1) * CHARS_PER_TOKEN
        self.used = 0

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)

    def fits(self, text: str) -> bool:
        return len(text) + 1 <= self.left

    def take(self, text: str) -> bool:
        """Spend room for `text` (plus its newline) if it fits; say whether it did."""
        if not self.fits(text):
            return False
        self.used += len(text) + 1
        return True

    def take_all(self, lines: list[str]) -> bool:
        """Spend room for every one of `lines` (each plus its newline), or for none of them if they do not all fit."""
        cost = sum(len(line) + 1 for line in lines)
        if cost > self.left:
            return False
        self.used += cost
        return True

    def give_back(self, lines: list[str]) -> None:
        """Return the room taken for `lines` (a reservation that was not needed)."""
        self.used -= sum(len(line) + 1 for line in lines)

    def take_lines(self, lines: list[str]) -> int:
        """Take as many leading `lines` as fit; return how many were taken."""
        taken = lines_within(lines, self.left)
        self.used += sum(len(line) + 1 for line in lines[:taken])
        return taken
