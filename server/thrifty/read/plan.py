"""Turn read_many items into blocks to show: resolve and check each path, find symbols, merge overlapping ranges.

Every problem becomes an error block naming the item; nothing here raises for one bad item.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from thrifty.confine import display_path, open_beneath, resolve_in_root
from thrifty.errors import ToolError
from thrifty.read import files
from thrifty.read.items import Item, parse_item
from thrifty.read.nearby import near_names
from thrifty.symbols import api as symbols
from thrifty.textout import one_line, shorten

HEAD_LINES = 30  # first lines shown under an outline
DIR_ENTRIES = 40  # entries listed for a directory item
_LISTDIR_CAP = 5000  # entries of a directory item counted and sorted at most
BlockKind = Literal["range", "outline", "dir", "error"]


@dataclass
class Block:
    """One section of the output: a file's (merged) range, an outline, a directory listing or an error."""

    kind: BlockKind
    shown: str  # the path (or the item, for errors) as the header names it
    items: list[int]  # indices of the items this block answers, first one first
    start: int = 0  # range blocks: the lines asked for (1-based, inclusive)
    end: int = 0
    file: files.TextFile | None = None
    labels: list[str] = field(default_factory=list)  # symbol names shown in the header
    outline: list[str] = field(default_factory=list)  # outline blocks: one row per definition
    outline_starts: list[int] = field(default_factory=list)  # the first line of each outline row's definition
    notes: list[str] = field(default_factory=list)
    message: str = ""  # error blocks

    @property
    def order(self) -> int:
        return self.items[0]


@dataclass
class _Range:
    start: int
    end: int
    items: list[int]
    labels: list[str]
    notes: list[str]


class _Files:
    """Per-call cache: each file is inspected (and outlined) once however many items name it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inspected: dict[Path, files.TextFile] = {}
        self.outlines: dict[Path, list[symbols.Symbol]] = {}

    def inspect(self, path: Path, shown: str) -> files.TextFile:
        if path not in self.inspected:
            self.inspected[path] = files.inspect(self.root, path, shown)
        return self.inspected[path]

    def outline(self, info: files.TextFile, shown: str) -> list[symbols.Symbol]:
        if info.path not in self.outlines:
            with files.open_file(self.root, info.path, shown) as handle:
                self.outlines[info.path] = symbols.outline_file(handle, shown, info.size)
        return self.outlines[info.path]


def plan(root: Path, items: list[str]) -> list[Block]:
    """Blocks answering `items`, in the order of the first item each answers."""
    cache = _Files(root)
    blocks: list[Block] = []
    ranges: dict[Path, list[_Range]] = {}
    shown_as: dict[Path, str] = {}
    outlines: dict[Path, Block] = {}
    seen: dict[str, int] = {}
    for index, raw in enumerate(items):
        key = raw.strip()
        if key in seen:
            _attach_duplicate(blocks, ranges, outlines, seen[key], index)
            continue
        seen[key] = index
        try:
            found = _resolve(cache, raw, index)
        except ToolError as exc:
            blocks.append(Block("error", raw.strip() or repr(raw), [index], message=str(exc)))
            continue
        except OSError as exc:  # a name too long, a part that is not a directory...: this item only
            message = f"{raw.strip()}: cannot be read ({exc.strerror or exc})"
            blocks.append(Block("error", raw.strip() or repr(raw), [index], message=message))
            continue
        if isinstance(found, Block):
            if found.kind == "outline" and found.file is not None:
                if found.file.path in outlines:
                    outlines[found.file.path].items.append(index)
                    continue
                outlines[found.file.path] = found
            blocks.append(found)
            continue
        path, shown, wanted = found
        shown_as.setdefault(path, shown)
        ranges.setdefault(path, []).extend(wanted)
    for path, wanted in ranges.items():
        blocks.extend(_merged(path, shown_as[path], cache.inspected[path], wanted))
    for block in blocks:
        _note_merged(block, items)
    return sorted(blocks, key=lambda b: b.order)


def _note_merged(block: Block, items: list[str]) -> None:
    if len(block.items) < 2:
        return
    block.items.sort()
    distinct = list(dict.fromkeys(items[i].strip() for i in block.items))
    if len(distinct) == 1:
        block.notes.append(f"asked for {len(block.items)} times, shown once")
        return
    block.notes.append(f"{len(distinct)} overlapping items shown as one: {shorten(', '.join(distinct), 150)}")


def _attach_duplicate(blocks: list[Block], ranges: dict[Path, list[_Range]], outlines: dict[Path, Block],
                      first: int, index: int) -> None:
    for block in [*blocks, *outlines.values()]:
        if first in block.items:
            block.items.append(index)
            return
    for wanted in ranges.values():
        for r in wanted:
            if first in r.items:
                r.items.append(index)
                return


def _resolve(cache: _Files, raw: str, index: int) -> Block | tuple[Path, str, list[_Range]]:
    root = cache.root

    def is_file(candidate: str) -> bool:
        try:
            return resolve_in_root(root, candidate).is_file()
        except (ToolError, OSError):
            return False

    item = parse_item(raw, is_file)
    path = resolve_in_root(root, item.path)
    shown = _display(root, item.path)
    if path.is_dir():
        return _directory(root, path, shown, index)
    if not path.exists():
        raise ToolError(_missing(root, path, shown))
    info = cache.inspect(path, shown)
    if item.symbol is not None:
        return path, shown, _symbol_ranges(cache, info, shown, item, index)
    if item.is_whole:
        if info.small or info.total_lines == 0:
            return path, shown, [_Range(1, info.total_lines, [index], [], [])]
        return _outline(cache, info, shown, index)
    return path, shown, [_line_range(info, shown, item, index)]


def _display(root: Path, user_path: str) -> str:
    candidate = Path(user_path).expanduser()
    joined = candidate if candidate.is_absolute() else root / candidate
    return display_path(root, Path(os.path.normpath(joined)))


def _line_range(info: files.TextFile, shown: str, item: Item, index: int) -> _Range:
    assert item.start is not None
    total = info.total_lines
    end = total if item.end is None else item.end
    if item.start > total:
        raise ToolError(f"{item.raw}: past the end; {shown} has {total} lines"
                        + (f" (ask for {shown}:{max(total - 49, 1)}-{total} for its last lines)" if total else ""))
    notes: list[str] = []
    if end > total:
        notes.append(f"{shown} ends at line {total} ({item.raw} asked for more)")
        end = total
    return _Range(item.start, end, [index], [], notes)


def _symbol_ranges(cache: _Files, info: files.TextFile, shown: str, item: Item, index: int) -> list[_Range]:
    assert item.symbol is not None
    if symbols.language_of(shown) is None:
        raise ToolError(f"{item.raw}: no definitions are known for this kind of file; ask for {shown}:START-END")
    if info.size > files.OUTLINE_MAX_BYTES:
        raise ToolError(f"{item.raw}: {shown} is too large to look up definitions ({info.size / 2**20:.0f} MB); "
                        f"ask for a line range, {shown}:START-END")
    found = cache.outline(info, shown)
    matches = symbols.find(found, item.symbol)
    if not matches:
        near = symbols.suggest(found, item.symbol)
        hint = f"; did you mean: {', '.join(f'{shown}#{n}' for n in near)}" if near else ""
        raise ToolError(f"{item.raw}: no definition named {item.symbol} in {shown}{hint}")
    if len({m.qualname for m in matches}) > 1:
        listed = ", ".join(f"{m.qualname} ({m.kind} {m.start}-{m.end})" for m in matches[:10])
        more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
        raise ToolError(f"{item.raw}: {len(matches)} definitions match: {listed}{more}; "
                        f"ask for one, e.g. {shown}#{matches[0].qualname}")
    return [_Range(m.start, m.end, [index], [f"{m.qualname} ({m.kind})"], []) for m in matches]


def _outline(cache: _Files, info: files.TextFile, shown: str, index: int) -> Block:
    head_end = min(HEAD_LINES, info.total_lines)
    block = Block("outline", shown, [index], start=1, end=head_end, file=info)
    reason = f"{info.total_lines:,} lines" if info.total_lines > files.WHOLE_MAX_LINES else f"{info.size:,} bytes"
    if symbols.language_of(shown) is None:
        block.notes.append(f"{reason}: only {_first(head_end)} shown; ask for {shown}:START-END "
                           f"(or {shown}:1- for all of it, within max_tokens)")
        return block
    if info.size > files.OUTLINE_MAX_BYTES:
        block.notes.append(f"{reason}: too large to outline, only {_first(head_end)} shown; "
                           f"ask for {shown}:START-END")
        return block
    found = cache.outline(info, shown)
    block.outline, block.outline_starts = _outline_rows(found)
    block.notes.append(f"{reason}, so an outline of its {len(found)} definitions and {_first(head_end)}; "
                       f"ask for {shown}#Name or {shown}:START-END ({shown}:1- for all of it, within max_tokens)")
    return block


def _first(lines: int) -> str:
    return "the first line" if lines == 1 else f"the first {lines} lines"


def _outline_rows(found: list[symbols.Symbol]) -> tuple[list[str], list[int]]:
    """`kind name START-END`, indented two spaces per nesting level."""
    rows: list[str] = []
    starts: list[int] = []
    stack: list[symbols.Symbol] = []
    for s in found:
        while stack and not (stack[-1].start <= s.start and s.end <= stack[-1].end):
            stack.pop()
        name = s.name if stack else s.qualname
        rows.append(f"{'  ' * len(stack)}{s.kind} {name} {s.start}-{s.end}")
        starts.append(s.start)
        stack.append(s)
    return rows, starts


def _directory(root: Path, path: Path, shown: str, index: int) -> Block:
    fd = open_beneath(root, path, shown, directory=True)  # listed through the descriptor that was checked
    try:
        with os.scandir(fd) as entries:
            names: list[str] = []
            for n, entry in enumerate(entries):
                if n >= _LISTDIR_CAP:
                    break
                names.append(_entry_name(entry))
    except OSError as exc:
        raise ToolError(f"{shown}: a directory that cannot be listed ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
    names.sort()
    block = Block("dir", shown, [index], message=", ".join(names[:DIR_ENTRIES]) or "(empty)")
    more = f", {len(names) - DIR_ENTRIES} more not listed" if len(names) > DIR_ENTRIES else ""
    block.notes.append(f"a directory ({len(names)} entries{more}); ask for files in it, e.g. "
                       f"{_join(shown, next((n for n in names if not n.endswith('/')), 'NAME'))}")
    return block


def _entry_name(entry: os.DirEntry[str]) -> str:
    """The entry as listed: a trailing / for a directory; one that cannot be inspected says why, alone."""
    name = one_line(entry.name)
    try:
        return name + ("/" if entry.is_dir() else "")
    except OSError as exc:
        return f"{name}@ (a symlink that cannot be followed: {exc.strerror or exc})"


def _join(directory: str, name: str) -> str:
    return name if directory == "." else f"{directory.rstrip('/')}/{name}"


def _missing(root: Path, path: Path, shown: str) -> str:
    parent = path.parent
    if not parent.is_dir():
        return f"{shown}: no such file (its directory does not exist either)"
    hint = ", ".join(display_path(root, parent / n) for n in near_names(root, parent, path.name))
    return f"{shown}: no such file" + (f"; did you mean: {hint}" if hint else "")


def _merged(path: Path, shown: str, info: files.TextFile, wanted: list[_Range]) -> list[Block]:
    """Overlapping or adjacent ranges of one file become one block; the notes say which items were merged."""
    out: list[Block] = []
    for r in sorted(wanted, key=lambda r: (r.start, r.end)):
        last = out[-1] if out else None
        if last is not None and r.start <= last.end + 1:
            last.end = max(last.end, r.end)
            last.items = sorted({*last.items, *r.items})
            last.labels += [x for x in r.labels if x not in last.labels]
            last.notes += [x for x in r.notes if x not in last.notes]
            continue
        out.append(Block("range", shown, sorted(set(r.items)), r.start, r.end, info, labels=list(r.labels),
                         notes=list(r.notes)))
    return out
