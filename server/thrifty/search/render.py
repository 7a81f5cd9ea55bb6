"""Lay out matching files as numbered windows within a token budget, and account for what did not fit."""

from __future__ import annotations

from dataclasses import dataclass, field

from thrifty.search.attribution import Attribution
from thrifty.search.filetext import FileText
from thrifty.search.result import FileOut, Omitted, WindowOut
from thrifty.search.windows import Window
from thrifty.textout import Budget, header, lines_within, numbered, shorten

MAX_LABEL_CHARS = 160


@dataclass
class Shown:
    """What a page holds so far, and where it stopped."""

    lines: list[str] = field(default_factory=list)
    files: list[FileOut] = field(default_factory=list)
    occurrences: int = 0  # match occurrences before the cut, counted from the first file (the offset unit)
    stopped: bool = False
    omitted: Omitted = field(default_factory=Omitted)
    cut_note: str = ""  # a window shown only in part


def add_file(
    shown: Shown, budget: Budget, path: str, text: FileText, windows: list[Window], attribution: Attribution | None
) -> None:
    """Append the file's windows that fit; at the first that does not, stop the page and count the rest.

    The first window of a page is shown in part when it alone exceeds the budget, so a continuation always
    moves forward.
    """
    width = len(str(windows[-1].end))
    room = budget.left - len(_header(path, windows, text, attribution)) - 1
    rows: list[str] = []
    kept: list[WindowOut] = []
    for index, window in enumerate(windows):
        window_rows = _window_rows(window, text, width, first=index == 0)
        cost = sum(len(row) + 1 for row in window_rows)
        if cost <= room:
            room -= cost
            rows += window_rows
            kept.append(_window_out(window, window.end))
            shown.occurrences += window.occurrences
            continue
        rest = windows[index:]
        if not shown.lines and index == 0:
            taken = lines_within(window_rows, room)
            last = window.start + taken - (len(window_rows) - (window.end - window.start + 1)) - 1
            if last >= window.start:
                rows += window_rows[:taken]
                kept.append(_window_out(window, last))
            _cut_window(shown, path, window, last)
            rest = windows[1:]
        _stop(shown, path, rest, whole_file=not kept)
        break
    if kept:
        shown.lines.append(_header(path, windows[: len(kept)], text, attribution, end=kept[-1].end))
        shown.lines += rows
        shown.files.append(FileOut(path=path, total_lines=text.total, windows=kept))
        budget.take_lines(shown.lines[-len(rows) - 1 :])


def _cut_window(shown: Shown, path: str, window: Window, last: int) -> None:
    """The first window of a page is larger than the whole budget: show its start, point at the rest.

    The offset moves past the matches shown (at least one, so that paging always progresses); the next page
    starts from the first match not shown.
    """
    covered = [(line, count) for line, count in window.hits if line <= last] or list(window.hits[:1])
    first_omitted = max(last + 1, window.start)
    shown.omitted.file = path
    shown.occurrences += sum(count for _, count in covered)
    shown.omitted.lines += window.end - first_omitted + 1
    shown.omitted.matches += len(window.hits) - len(covered)
    shown.cut_note = (
        f"{path}: lines {first_omitted}-{window.end} did not fit (one window larger than max_tokens); "
        f"the offset below resumes at the next match, read_many '{path}:{first_omitted}-{window.end}' reads them all"
    )


def _stop(shown: Shown, path: str, rest: list[Window], whole_file: bool) -> None:
    shown.stopped = True
    shown.omitted.matches += sum(w.occurrences for w in rest)
    if whole_file:
        shown.omitted.files += 1
        return
    shown.omitted.file = path
    shown.omitted.windows += len(rest)
    shown.omitted.lines += sum(w.end - w.start + 1 for w in rest)


def _preamble(window: Window, first: bool) -> list[str]:
    if window.labels:
        return [f"-- {'; '.join(window.labels)}"]
    return [] if first else ["--"]


def _window_rows(window: Window, text: FileText, width: int, first: bool) -> list[str]:
    rows = numbered((text.shown(n) for n in range(window.start, window.end + 1)), window.start, width)
    for line in window.matches:  # mark matching lines grep-style: "12:" instead of "12 "
        i = line - window.start
        rows[i] = f"{rows[i][:width]}:{rows[i][width + 1 :]}"
    return [*_preamble(window, first), *rows]


def _window_out(window: Window, last: int) -> WindowOut:
    return WindowOut(
        start=window.start, end=last, matches=[m for m in window.matches if m <= last], definitions=list(window.labels)
    )


def _header(
    path: str, windows: list[Window], text: FileText, attribution: Attribution | None, end: int | None = None
) -> str:
    """The file header for `windows`; with several patterns its label says which pattern hit which lines."""
    label = "" if text.total is not None else "(large file, streamed)"
    if attribution is not None:
        per_pattern: dict[int, list[int]] = {}
        for window in windows:
            for line in window.matches:
                if end is None or line <= end:
                    for index in attribution.hits(path, line):
                        per_pattern.setdefault(index, []).append(line)
        label = " ".join(f"p{i + 1}:{','.join(map(str, lines))}" for i, lines in sorted(per_pattern.items()))
        label = shorten(label, MAX_LABEL_CHARS)
    return header(path, windows[0].start, windows[-1].end if end is None else end, text.total, label)
