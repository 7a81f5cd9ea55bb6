"""Trimming tracebacks: library frames (site-packages, the stdlib, pytest internals) and repeated frames go, the
project's frames and the exception stay whole. Nothing is cut from the middle of a frame."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from thrifty.checks.parsers.base import squeeze_blank

PY_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>.*))?$')
CARETS = re.compile(r"^\s*[\^~\-]*\^[\^~\-]*\s*$")  # PEP 657 position markers under a source line
STDLIB = re.compile(r"/lib/python\d+(\.\d+)?t?/(?!site-packages/|dist-packages/)")
LIBRARY_PARTS = ("site-packages/", "dist-packages/", "/_pytest/", "/pluggy/", "/.cargo/registry/", "/rustc/")
MAX_SOURCE_LINES = 20  # source shown above a failing line in pytest's long format before older lines are dropped


def is_library(path: str, root: Path, cwd: Path | None = None) -> bool:
    """A frame outside the project's own code: installed packages, any Python's stdlib, frozen/builtin modules."""
    path = path.replace("\\", "/")
    if path.startswith("<") or any(part in path for part in LIBRARY_PARTS) or STDLIB.search(path):
        return True
    if os.path.isabs(path):
        return not Path(path).is_relative_to(root)
    return False


def short_path(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-2:])


def omitted_note(paths: list[str]) -> str:
    shown = ", ".join(dict.fromkeys(short_path(p) for p in paths))
    return f"  [{len(paths)} library frame{'s' if len(paths) != 1 else ''} omitted: {shown}]"


def trim_python_traceback(lines: list[str], root: Path) -> list[str]:
    """A standard `Traceback (most recent call last):` block (or several, chained) trimmed frame by frame."""
    frames: list[Frame] = []
    for line in lines:
        if CARETS.match(line):
            continue
        match = PY_FRAME.match(line)
        if match:
            frames.append(Frame(match["path"], [line], f"{match['path']}:{match['line']}"))
        elif frames and frames[-1].path and line.startswith("    ") and len(frames[-1].body) < 4:
            frames[-1].body.append(line)  # the frame's source line(s)
        else:
            frames.append(Frame("", [line]))
    return squeeze_blank(_collapse(frames, root))


@dataclass
class Frame:
    path: str  # "" for lines between frames (messages, exception lines)
    body: list[str]
    key: str = ""  # path:line, so a recursion's frames compare equal whatever their locals


def _collapse(frames: list[Frame], root: Path) -> list[str]:
    """Drop library frames (keeping the last frame before the exception) and repeats of the same frame."""
    out: list[str] = []
    dropped: list[str] = []
    last_frame = max((i for i, f in enumerate(frames) if f.path), default=-1)
    previous = ""
    repeats = 0
    for i, frame in enumerate(frames):
        if frame.path and is_library(frame.path, root) and i != last_frame and not _next_is_exception(frames, i):
            dropped.append(frame.path)
            continue
        if dropped:
            out.append(omitted_note(dropped))
            dropped = []
        if frame.path and frame.key == previous and i != last_frame:
            repeats += 1
            continue
        if repeats:
            out.append(f"  [previous frame repeated {repeats} more time{'s' if repeats != 1 else ''}]")
            repeats = 0
        out.extend(frame.body)
        previous = frame.key if frame.path else ""
    if dropped:
        out.append(omitted_note(dropped))
    if repeats:
        out.append(f"  [previous frame repeated {repeats} more time{'s' if repeats != 1 else ''}]")
    return out


def _next_is_exception(frames: list[Frame], i: int) -> bool:
    """The frame right before an exception line (end of one chained traceback) shows where it was raised."""
    for frame in frames[i + 1:]:
        if frame.path:
            return False
        text = frame.body[0].strip()
        if text:
            return not text.startswith("[")
    return False


PYTEST_SEPARATOR = re.compile(r"^(?:_ )+_?\s*$")
PYTEST_SHORT_LOC = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+): in (?P<func>.+)$")
PYTEST_LONG_LOC = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?: (?P<exc>\S+))?\s*$")
PYTEST_CAPTURED = re.compile(r"^-+ Captured (?:stdout|stderr|log) .*-+$")
CAPTURED_LINES = 20


def trim_pytest_block(lines: list[str], root: Path) -> list[str]:
    """One test's section from pytest's FAILURES/ERRORS (long, short or auto style) trimmed frame by frame."""
    if any(line.startswith("Traceback (most recent call last):") for line in lines):
        return trim_python_traceback(lines, root)
    body, captured = _split_captured(lines)
    chunks: list[list[str]] = [[]]
    for line in body:
        if PYTEST_SEPARATOR.match(line):
            chunks.append([])
        elif not CARETS.match(line):
            chunks[-1].append(line)
    entries: list[Frame] = []
    for chunk in chunks:
        entries.extend(_chunk_entries(chunk))
    last = max((i for i, f in enumerate(entries) if f.path), default=-1)
    if last >= 0 and is_library(entries[last].path, root):
        frame = entries[last]  # where it was raised: keep the exception, not the library's source
        frame.body = [_library_location(ln) for ln in frame.body if ln.startswith("E ")
                      or PYTEST_LONG_LOC.match(ln) or PYTEST_SHORT_LOC.match(ln)]
    return squeeze_blank(_collapse(entries, root) + captured)


def _library_location(line: str) -> str:
    """`/usr/lib/python3.11/json/decoder.py:355: JSONDecodeError` -> `json/decoder.py:355: JSONDecodeError`: where a
    library raised, named as the omitted-frames note names library files."""
    match = PYTEST_LONG_LOC.match(line) or PYTEST_SHORT_LOC.match(line)
    if match is None or not os.path.isabs(match["path"]):
        return line
    return short_path(match["path"]) + line[match.end("path"):]


def short_traceback(lines: list[str]) -> list[str]:
    """A trimmed pytest long-form traceback in its short form: each frame's location and failing line (`>`), the
    error (`E` lines) and the omitted-frames notes; the source around the failing lines and the arguments go.
    Anything that is not pytest's long form comes back as it was."""
    texts = [line.strip() for line in lines]
    if not any(t.startswith(">") for t in texts) or not any(PYTEST_LONG_LOC.match(t) for t in texts):
        return lines
    kept = []
    after_short_location = False
    for line, text in zip(lines, texts, strict=True):
        keep = (after_short_location or text.startswith((">", "E ", "[")) or PYTEST_LONG_LOC.match(text)
                or PYTEST_SHORT_LOC.match(text))
        after_short_location = bool(PYTEST_SHORT_LOC.match(text))
        if keep:
            kept.append(_GUTTER.sub(r"\1\2 ", line))
    return kept


_GUTTER = re.compile(r"^(\s*)([>E])\s+")  # pytest pads `>` and `E` to its source column: one line each, no need


def _chunk_entries(chunk: list[str]) -> list[Frame]:
    """A chunk between `_ _ _` separators is one long entry (location last) or a run of short ones (location first)."""
    if not any(ln.strip() for ln in chunk):
        return []
    if not any(PYTEST_SHORT_LOC.match(ln) for ln in chunk):
        # A long entry ends at its location line; pytest may print notes after it (recursion, --full-trace).
        for i in range(len(chunk) - 1, -1, -1):
            end = PYTEST_LONG_LOC.match(chunk[i])
            if end:
                notes = [Frame("", [ln]) for ln in chunk[i + 1:]]
                return [Frame(end["path"], _limit_source(chunk[: i + 1]), f"{end['path']}:{end['line']}"), *notes]
    entries: list[Frame] = []
    for line in chunk:
        match = PYTEST_SHORT_LOC.match(line)
        if match:
            entries.append(Frame(match["path"], [line], f"{match['path']}:{match['line']}"))
        elif entries and entries[-1].path and not line.startswith("E "):
            entries[-1].body.append(line)
        else:
            entries.append(Frame("", [line]))
    return entries


def _limit_source(chunk: list[str]) -> list[str]:
    marker = next((i for i, ln in enumerate(chunk) if ln.startswith(">")), None)
    if marker is None or marker <= MAX_SOURCE_LINES:
        return chunk
    cut = marker - MAX_SOURCE_LINES
    return [f"    [{cut} source lines above omitted]", *chunk[cut:]]


def _split_captured(lines: list[str]) -> tuple[list[str], list[str]]:
    start = next((i for i, ln in enumerate(lines) if PYTEST_CAPTURED.match(ln)), None)
    if start is None:
        return lines, []
    captured: list[str] = []
    section: list[str] = []
    for line in [*lines[start:], "---- Captured end ----"]:
        if PYTEST_CAPTURED.match(line) or line == "---- Captured end ----":
            if section:
                extra = len(section) - 1 - CAPTURED_LINES
                captured.extend(section[: CAPTURED_LINES + 1])
                if extra > 0:
                    captured.append(f"[{extra} more captured lines omitted]")
            section = [line]
        else:
            section.append(line)
    return lines[:start], captured
