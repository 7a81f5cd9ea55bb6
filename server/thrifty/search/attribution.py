"""Which of several patterns hit each shown line: rg once per pattern over just those lines.

rg reports matches of the combined pattern only; Python's backtracking `re` is no substitute, since a pattern that
rg runs in linear time (`(\\w+\\s?)+$`) can make it run for hours.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from thrifty.search import rg

ATTRIBUTION_TIMEOUT_SECONDS = 5.0
_WORKERS = 8

LineKey = tuple[str, int]  # (path, line number)


class Attribution:
    def __init__(self, by_line: dict[LineKey, list[int]]) -> None:
        self._by_line = by_line
        self.seen: set[int] = set()  # patterns credited with at least one line shown

    def hits(self, path: str, line: int) -> list[int]:
        """Indexes (0-based) of the patterns matching that line."""
        found = self._by_line.get((path, line), [])
        self.seen.update(found)
        return found


def attribute(binary: str, patterns: list[str], lines: dict[LineKey, str],
              timeout: float = ATTRIBUTION_TIMEOUT_SECONDS) -> Attribution:
    keys = list(lines)
    text = "\n".join(lines[key] for key in keys).encode("utf-8", "replace")
    by_line: dict[LineKey, list[int]] = {}
    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(patterns))) as pool:
        def rows_of(pattern: str) -> set[int] | None:
            return rg.matching_rows(binary, pattern, text, min(timeout, ATTRIBUTION_TIMEOUT_SECONDS))

        rows_per_pattern = pool.map(rows_of, patterns)
        for index, rows in enumerate(rows_per_pattern):
            for row in rows or ():
                if row <= len(keys):
                    by_line.setdefault(keys[row - 1], []).append(index)
    return Attribution(by_line)
