"""Which lines to show around matches: context windows, widened to enclosing definitions, merged when they touch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol


class Definition(Protocol):
    @property
    def qualname(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Window:
    start: int  # 1-based, inclusive
    end: int
    hits: tuple[tuple[int, int], ...]  # (matching line, occurrences on it) inside the window, ascending
    labels: tuple[str, ...] = ()  # definitions this window shows, e.g. "function Config.load 12-40"

    @property
    def matches(self) -> list[int]:
        return [line for line, _ in self.hits]

    @property
    def occurrences(self) -> int:
        """Match occurrences inside: the unit of the continuation offset."""
        return sum(count for _, count in self.hits)


MatchLines = list[tuple[int, int]]  # (line number, occurrences on it), ascending


def around(match_lines: MatchLines, context: int, total: int | None) -> list[Window]:
    """A window of `context` lines either side of each match, merged."""
    return merge(_line_window(line, count, context, total) for line, count in match_lines)


def widen(
    match_lines: MatchLines,
    context: int,
    total: int | None,
    enclosing: Callable[[int], Definition | None],
    max_lines: int,
) -> list[Window]:
    """Each match widened to its innermost enclosing definition, whole when it has at most `max_lines` lines.

    A match outside any definition keeps its context window. Inside a longer definition it keeps its context
    window too, and the definition's first line is added, labelled to say the definition is not shown whole.
    """
    windows: list[Window] = []
    for line, count in match_lines:
        definition = enclosing(line)
        if definition is None:
            windows.append(_line_window(line, count, context, total))
            continue
        size = definition.end - definition.start + 1
        name = f"{definition.kind} {definition.qualname} {definition.start}-{definition.end}"
        if size <= max_lines:
            windows.append(Window(definition.start, definition.end, ((line, count),), (name,)))
            continue
        label = f"{name} ({size} lines, over {max_lines}): its first line and the match windows only"
        windows.append(Window(definition.start, definition.start, (), (label,)))
        windows.append(_line_window(line, count, context, total))
    return merge(windows)


def merge(windows: Iterable[Window]) -> list[Window]:
    """Windows that overlap or touch become one; the result is ascending and disjoint.

    n log n in the windows: one sort, then each group of touching windows is built once (not re-built per member,
    which made a file matching on every line quadratic).
    """
    merged: list[Window] = []
    group: list[Window] = []
    end = 0
    for window in sorted(windows, key=lambda w: (w.start, -w.end)):
        if group and window.start > end + 1:
            merged.append(_joined(group, end))
            group = []
        end = max(end, window.end) if group else window.end
        group.append(window)
    if group:
        merged.append(_joined(group, end))
    return merged


def _joined(group: list[Window], end: int) -> Window:
    if len(group) == 1:
        return group[0]
    hits = sorted({hit for window in group for hit in window.hits})
    labels = dict.fromkeys(label for window in group for label in window.labels)
    return Window(group[0].start, end, tuple(hits), tuple(labels))


def _line_window(line: int, count: int, context: int, total: int | None) -> Window:
    end = line + context if total is None else min(line + context, total)
    return Window(max(1, line - context), max(end, line), ((line, count),))
