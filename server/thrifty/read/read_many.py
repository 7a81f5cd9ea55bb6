"""read_many's core: many files, ranges and symbols in one call, as numbered text within a token budget.

The budget is shared fairly: every block first gets room for its header and notes, then the room left is
water-filled (small blocks whole, the big ones an equal share each), so no block starves the ones after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from thrifty.errors import ToolError
from thrifty.read import files
from thrifty.read.plan import Block, plan
from thrifty.textout import (
    Budget,
    check_max_tokens,
    estimate_tokens,
    header,
    lines_within,
    numbered,
    one_line,
    plural,
    shorten,
)

MAX_ITEMS = 200  # per call; more are listed as omitted (a budget this size could not show them anyway)
_SUMMARY_CHARS = 170  # the closing "omitted" line lives in Budget's reserve (60 tokens = 180 chars)

Status = Literal["ok", "partial", "outline", "directory", "error", "omitted"]
_STATUS: dict[str, Status] = {"error": "error", "dir": "directory", "outline": "outline"}


class ItemResult(BaseModel):
    item: str
    path: str | None = None
    status: Status
    start: int | None = None  # first line shown
    end: int | None = None  # last line shown
    total_lines: int | None = None
    note: str = ""


class ReadManyResult(BaseModel):
    items: list[ItemResult]
    max_tokens: int
    estimated_tokens: int
    text: str = Field(default="", exclude=True)  # what the model reads; the structured channel carries the rest


class _Rendered:
    """A block's lines before the budget cut: header, body rows (numbered or outline), notes."""

    def __init__(self, block: Block, rows: list[str], complete: bool) -> None:
        self.block = block
        self.rows = rows
        self.complete = complete  # False when the range was read only as far as any budget could show
        self.body_cost = sum(len(r) + 1 for r in rows)

    def fixed_cost(self, cut: bool) -> int:
        lines = [self.header(len(self.rows)), *self.notes(len(self.rows) if not cut else 0, upper_bound=cut)]
        return sum(len(x) + 1 for x in lines)

    def header(self, shown_rows: int) -> str:
        b = self.block
        if b.kind == "error":
            return header(b.shown, None, None, None)
        if b.kind == "dir":
            return header(b.shown.rstrip("/") + "/", None, None, None, "directory")
        total = b.file.total_lines if b.file else None
        label = " ".join(b.labels[:3]) + (f" +{len(b.labels) - 3}" if len(b.labels) > 3 else "")
        if b.kind == "outline":
            head = max(shown_rows - len(b.outline), 0)
            return header(b.shown, 1 if head else None, head or None, total, "outline")
        if shown_rows == 0:
            return header(b.shown, None, None, total, label)
        return header(b.shown, b.start, b.start + shown_rows - 1, total, label)

    def notes(self, shown_rows: int, upper_bound: bool = False) -> list[str]:
        b = self.block
        out = [f"error: {b.message.removeprefix(b.shown + ': ')}"] if b.kind == "error" else []
        if b.kind == "dir":
            out.append(b.message)
        out += [f"note: {n}" for n in b.notes]
        if b.kind == "range" and b.end < b.start:
            out.append("note: empty file")
        if upper_bound or shown_rows < len(self.rows) or not self.complete:
            cut = self._cut_note(shown_rows, upper_bound)
            if cut:
                out.append(cut)
        return [one_line(line) for line in out]  # notes quote names: none may start a line of its own

    def _cut_note(self, shown_rows: int, upper_bound: bool) -> str:
        b = self.block
        path = b.shown
        if b.kind == "range":
            first = b.end if upper_bound else b.start + shown_rows
            count = b.end - b.start + 1 if upper_bound else b.end - first + 1
            if count <= 0:
                return ""
            cut = f"line {first} omitted" if count == 1 else f"lines {first}-{b.end} omitted ({plural(count, 'line')})"
            return f"note: {cut} to fit max_tokens; ask for {path}:{first}-{b.end}"
        if b.kind == "outline" and b.file is not None:
            total = b.file.total_lines
            if upper_bound or shown_rows < len(b.outline):
                hidden = len(b.outline) if upper_bound else len(b.outline) - shown_rows
                first = total if upper_bound else b.outline_starts[shown_rows]
                return (f"note: {hidden:,} more definitions omitted (from line {first}) to fit max_tokens; "
                        f"ask for {path}:{first}-{total} or {path}#Name")
            first = shown_rows - len(b.outline) + 1
            span = f"line {first}" if first == b.end else f"lines {first}-{b.end}"
            return f"note: {span} omitted to fit max_tokens; ask for {path}:{first}-{b.end}"
        return ""


def read_many(root: Path, items: list[str], max_tokens: int) -> ReadManyResult:
    """Read `items` (paths, ranges, symbols) under `root` into one text of at most `max_tokens` (estimated)."""
    check_max_tokens(max_tokens)
    if not items:
        raise ToolError("files is empty: give at least one path, path:START-END or path#Name")
    taken, extra = items[:MAX_ITEMS], items[MAX_ITEMS:]
    budget = Budget(max_tokens)
    rendered = [_render(block, budget.limit) for block in plan(root, taken)]
    shown_rows, dropped = _allocate(rendered, budget.limit)
    lines: list[str] = []
    results: dict[int, ItemResult] = {}
    for r, rows in zip(rendered, shown_rows, strict=True):
        if r in dropped:
            continue
        block_lines = [r.header(rows), *r.rows[:rows], *r.notes(rows)]
        if budget.take_lines(block_lines) < len(block_lines):  # the plan never overspends; stay safe if it did
            dropped.add(r)
            continue
        lines += block_lines
        _record(results, taken, r, rows)
    summary = _summary(taken, extra, [r for r in rendered if r in dropped], results)
    if summary:
        lines.append(summary)
    text = "\n".join(lines)
    ordered = [results[i] for i in sorted(results)]
    ordered += [ItemResult(item=raw, status="omitted", note="over the per-call item cap")
                for raw in extra]
    return ReadManyResult(items=ordered, max_tokens=max_tokens, estimated_tokens=estimate_tokens(text), text=text)


def _render(block: Block, cap_chars: int) -> _Rendered:
    """The block's rows; a file that changed since it was planned (vanished, now leading out) becomes an error block."""
    try:
        return _read_rows(block, cap_chars)
    except ToolError as exc:
        return _Rendered(Block("error", block.shown, block.items, message=str(exc)), [], True)


def _read_rows(block: Block, cap_chars: int) -> _Rendered:
    """The block's body rows; a range is read only as far as `cap_chars` (the whole budget) could ever show."""
    if block.kind not in ("range", "outline") or block.file is None:
        return _Rendered(block, [], True)
    if block.kind == "outline":
        head = files.read_lines(block.file.root, block.file.path, 1, block.end) if block.end else []
        return _Rendered(block, [*block.outline, *numbered(head, 1)], True)
    if block.end < block.start:
        return _Rendered(block, [], True)
    lines = files.read_lines(block.file.root, block.file.path, block.start, block.end,
                             max_chars=cap_chars)
    rows = numbered(lines, block.start, len(str(block.end)))
    return _Rendered(block, rows, complete=block.start + len(rows) - 1 >= block.end)


def _allocate(rendered: list[_Rendered], room: int) -> tuple[list[int], set[_Rendered]]:
    """Rows each block shows, and blocks dropped whole because even their headers did not fit."""
    cut = {r for r in rendered if not r.complete}
    dropped: set[_Rendered] = set()
    while True:
        kept = [r for r in rendered if r not in dropped]
        fixed = [r.fixed_cost(r in cut) for r in kept]
        if sum(fixed) > room and kept:
            dropped.add(kept[-1])
            continue
        shares = _water_fill([r.body_cost for r in kept], room - sum(fixed))
        rows = {r: lines_within(r.rows, share) for r, share in zip(kept, shares, strict=True)}
        newly_cut = {r for r in kept if rows[r] < len(r.rows)} - cut
        if not newly_cut:
            return [rows.get(r, 0) for r in rendered], dropped
        cut |= newly_cut


def _water_fill(wants: list[int], room: int) -> list[int]:
    """Split `room` so that every want below the common level is met and the rest share the level equally."""
    shares = [0] * len(wants)
    pending = sorted(range(len(wants)), key=lambda i: wants[i])
    while pending:
        level = max(room, 0) // len(pending)
        i = pending[0]
        if wants[i] > level:
            for j in pending:
                shares[j] = level
            return shares
        shares[i] = wants[i]
        room -= wants[i]
        pending.pop(0)
    return shares


def _record(results: dict[int, ItemResult], items: list[str], r: _Rendered, rows: int) -> None:
    b = r.block
    status = _STATUS.get(b.kind, "ok")
    start = end = None
    if b.kind == "range" and rows:
        start, end = b.start, b.start + rows - 1
        status = "ok" if rows == len(r.rows) and r.complete else "partial"
    elif b.kind == "outline" and rows > len(b.outline):
        start, end = 1, rows - len(b.outline)
    for index in b.items:
        results[index] = ItemResult(
            item=items[index], path=None if b.kind == "error" else b.shown, status=status, start=start, end=end,
            total_lines=b.file.total_lines if b.file else None,
            note=b.message if b.kind == "error" else "; ".join(b.notes),
        )


def _summary(items: list[str], extra: list[str], dropped: list[_Rendered], results: dict[int, ItemResult]) -> str:
    """One closing line for whatever was left out whole: blocks with no room and items over the cap."""
    left_out = [i for r in dropped for i in r.block.items]
    for index in left_out:
        results[index] = ItemResult(item=items[index], status="omitted", note="no room within max_tokens")
    parts: list[str] = []
    if extra:
        parts.append(f"{len(extra)} items over the {MAX_ITEMS}-item cap (from {extra[0].strip()})")
    if left_out:
        names = ", ".join(dict.fromkeys(items[i].strip() for i in sorted(left_out)))
        parts.append(f"{len(left_out)} items with no room within max_tokens: {names}")
    if not parts:
        return ""
    ask = "; call read_many again with them"
    return one_line(shorten("omitted: " + "; ".join(parts), _SUMMARY_CHARS - len(ask)) + ask)
