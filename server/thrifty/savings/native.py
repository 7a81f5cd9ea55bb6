"""The native cost of what a thrifty call returned, measured in the server, and its row in the ledger's `savings`.

The native way to get what read_many returned is one Read per file, each returning the whole file in Read's
`cat -n` form (`N<TAB>line`), capped the way Read caps (25,000 tokens); for grep_and_read it is a Grep listing the
matching files plus one such Read of each file shown; for run_checks, one Bash run per check returning its whole
output (up to the 30,000 characters Bash shows inline). Sizes come from the files' byte counts and line counts, which
the tools already know: nothing is read twice. Tokens here are characters / 4 (Claude's tokenizers average 3.5 to 4
characters per token on code), rounded up, for both sides, so an avoided-token figure is on the low side.
Standard library only; a failure to record is logged and never fails the tool call.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

CHARS_PER_TOKEN = 4
READ_CAP_TOKENS = 25_000  # Read's default output cap (CLAUDE_CODE_FILE_READ_MAX_OUTPUT_TOKENS)
BASH_INLINE_CHARS = 30_000  # Bash output shown inline (BASH_MAX_OUTPUT_LENGTH); beyond it, a preview and a path
TOOL_USE_ID_META = "claudecode/toolUseId"

log = logging.getLogger(__name__)


def tokens(chars: int) -> int:
    return -(-max(chars, 0) // CHARS_PER_TOKEN)


def digits_up_to(n: int) -> int:
    """The characters of the numbers 1..n written out: what `cat -n`-style numbering adds, besides a tab per line."""
    total, width, start = 0, 1, 1
    while start <= n:
        end = min(n, start * 10 - 1)
        total += (end - start + 1) * width
        width, start = width + 1, start * 10
    return total


def cat_n_chars(size_bytes: int, lines: int) -> int:
    """Characters of a file shown as Read shows it: each line numbered and tab-separated (bytes stand for chars)."""
    return size_bytes + digits_up_to(lines) + lines


def read_tokens(size_bytes: int, lines: int) -> int:
    """Tokens one whole-file Read of this file returns, at most Read's cap."""
    return min(tokens(cat_n_chars(size_bytes, lines)), READ_CAP_TOKENS)


class NativeCost:
    """What the native tools would have cost: tokens returned to the model and the calls (one per turn, by habit)."""

    __slots__ = ("tokens", "calls", "paths")

    def __init__(self) -> None:
        self.tokens = 0
        self.calls = 0
        self.paths: list[str] = []

    def add_read(self, root: Path, shown: str, total_lines: int | None) -> None:
        """One whole-file Read of `shown` (relative to root); files counted once per call."""
        if shown in self.paths:
            return
        try:
            size = os.stat(root / shown).st_size
        except OSError:
            return
        lines = total_lines if total_lines is not None else size // 40  # a streamed huge file: cap applies anyway
        self.paths.append(shown)
        self.tokens += read_tokens(size, lines)
        self.calls += 1

    def add_check_run(self, output_bytes: int) -> None:
        """One check run through Bash: its whole output, as far as Bash shows it inline."""
        self.tokens += tokens(min(output_bytes, BASH_INLINE_CHARS))
        self.calls += 1

    def add_listing(self, paths: Iterable[str]) -> None:
        """One Grep in its default mode: the matching files' names, one per line."""
        self.tokens += tokens(sum(len(p) + 1 for p in paths))
        self.calls += 1


def tool_use_id_of(meta: Mapping[str, object] | None) -> str | None:
    value = (meta or {}).get(TOOL_USE_ID_META)
    return value if isinstance(value, str) and value else None


def record(tool_use_id: str | None, tool: str, returned_text: str, native: NativeCost,
           env: Mapping[str, str] = os.environ) -> None:
    """Store the call's savings row (no tool_use id: nothing to key it by, nothing stored)."""
    if tool_use_id is None:
        return
    from thrifty.ledger.db import connect, transaction
    from thrifty.paths import ledger_path

    try:
        conn = connect(ledger_path(env))  # type: ignore[arg-type]
        try:
            with transaction(conn):
                conn.execute(
                    """INSERT OR REPLACE INTO savings (tool_use_id, tool, tokens_returned, tokens_native, native_calls,
                           paths) VALUES (?, ?, ?, ?, ?, ?)""",
                    (tool_use_id, tool, tokens(len(returned_text)), native.tokens, native.calls,
                     json.dumps(native.paths)),
                )
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - measuring must never fail the tool call
        log.warning("savings of %s %s not recorded: %s", tool, tool_use_id, exc)
