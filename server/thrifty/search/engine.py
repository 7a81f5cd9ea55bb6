"""grep_and_read end to end: confine paths, run rg, window the hits, lay them out within the budget, add notes."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from thrifty.confine import resolve_in_root
from thrifty.errors import ToolError
from thrifty.read.files import OUTLINE_MAX_BYTES
from thrifty.search import rg
from thrifty.search.attribution import Attribution, attribute
from thrifty.search.filetext import FileText, read_file_text
from thrifty.search.hits import FileHits, parse
from thrifty.search.render import Shown, add_file
from thrifty.search.result import GrepAndReadResult
from thrifty.search.targets import resolve_targets
from thrifty.search.windows import MatchLines, Window, around, widen
from thrifty.symbols.api import enclosing, outline
from thrifty.textout import DEFAULT_MAX_TOKENS, Budget, check_max_tokens, one_line, shorten

MAX_PATTERNS = 500
MAX_PATHS = 1000
MAX_GLOBS = 200
MAX_GLOB_CHARS = 1000
MIN_LINE_CHARS = 3  # a shown line is at least its number, a space or ':' and a newline
NOTES_TOKENS = 150  # kept free for the closing notes (omitted, continuation), which must always fit
NOTE_CHARS = 300
LEGEND_PATTERN_CHARS = 40

_GLOB_CHARS = "*?[{"

Scope = Literal["lines", "symbol"]


@dataclass(frozen=True)
class SearchRequest:
    patterns: list[str]
    paths: list[str] = field(default_factory=lambda: ["."])
    context: int = 3
    scope: Scope = "lines"
    globs: list[str] = field(default_factory=list)
    offset: int = 0
    max_tokens: int = DEFAULT_MAX_TOKENS
    timeout: float = rg.RG_TIMEOUT_SECONDS

    @classmethod
    def from_paths_and_globs(cls, root: Path, paths: list[str], **kwargs: Any) -> SearchRequest:
        """Entries like `*.py` or `!tests/**` become rg globs; the rest, and existing paths such as Next.js's
        `app/[id]/page.tsx`, stay paths. Globs alone filter the whole root; no entry at all is refused by `_check`."""
        globs = [p for p in paths if _is_glob(root, p)]
        plain = [p for p in paths if p not in globs]
        return cls(paths=plain or (["."] if globs else []), globs=globs, **kwargs)


@dataclass(frozen=True)
class SearchOutcome:
    text: str
    result: GrepAndReadResult


def _is_glob(root: Path, entry: str) -> bool:
    if entry.startswith("!"):
        return True
    if not any(c in entry for c in _GLOB_CHARS):
        return False
    try:
        return not resolve_in_root(root, entry).exists()
    except ToolError:
        return False  # stays a path, so that it is refused by name
    except OSError:
        return True  # no file can have this name (too long...): a glob, checked and refused or used as one


def grep_and_read(root: Path, request: SearchRequest) -> SearchOutcome:
    """Search `request.paths` under `root` for all patterns at once and show the matches in context.

    Raises:
        ToolError: no usable pattern or path, an invalid regex (each bad pattern named) or glob.
    """
    _check(request)
    deadline = Deadline(request.timeout)
    targets = resolve_targets(root, request.paths)
    if not targets.paths:
        raise ToolError("nothing to search: " + "; ".join(targets.problems))
    binary = rg.find_rg()
    notes = list(targets.problems)
    patterns, globs = request.patterns, _short_globs(request.globs, notes)
    run = rg.run(rg.search_argv(binary, patterns, globs, targets.paths), root, deadline.left(), rg.MAX_OUTPUT_BYTES)
    for _ in range(2):  # rg refuses the whole run for one bad glob or pattern: drop those, keep the rest
        if run.returncode != 2 or run.stdout:
            break
        if "glob" in run.stderr:
            globs = _usable_globs(binary, globs, notes)
        else:
            patterns = _usable_patterns(binary, patterns, run.stderr, notes, deadline.left())
        run = rg.run(rg.search_argv(binary, patterns, globs, targets.paths), root, deadline.left(), rg.MAX_OUTPUT_BYTES)
    if run.returncode == 2 and not run.stdout:
        raise ToolError(f"rg failed: {rg.error_reason(run.stderr)}")
    request = dataclasses.replace(request, patterns=patterns, globs=globs)
    if run.returncode == 2:
        notes.append(f"rg reported: {rg.error_reason(run.stderr)}")
    parsed = parse(run.stdout)
    if parsed.binary:
        notes.append(_listing("binary files skipped", parsed.binary))
    if run.timed_out:
        notes.append(f"rg stopped after {request.timeout:g}s (timeout): results are partial; narrow paths or patterns")
    elif run.capped:
        notes.append(_capped_note(binary, request, targets.paths, root, deadline))
    return _page(root, request, parsed.files, notes, complete=not (run.timed_out or run.capped), deadline=deadline)


class Deadline:
    """One time budget for the whole call: rg, the count, reading and windowing the files, the attribution."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return max(self.end - time.monotonic(), 0.001)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end


def _short_globs(globs: list[str], notes: list[str]) -> list[str]:
    """The globs short enough to use; each longer one is named in a note and left out.

    Raises:
        ToolError: every glob was too long (searching without them would search more than was asked).
    """
    kept: list[str] = []
    for glob in globs:
        if len(glob) > MAX_GLOB_CHARS:
            notes.append(f"glob `{shorten(glob, 40)}`: too long ({len(glob):,} characters, at most "
                         f"{MAX_GLOB_CHARS:,}); not used")
        else:
            kept.append(glob)
    if globs and not kept:
        raise ToolError("invalid glob: " + "; ".join(notes[-len(globs):]))
    return kept


def _usable_globs(binary: str, globs: list[str], notes: list[str]) -> list[str]:
    """The globs left once those rg cannot compile are named in notes.

    Raises:
        ToolError: every glob is invalid.
    """
    bad = dict(rg.bad_globs(binary, globs))
    listed = [f"glob `{shorten(glob, 60)}`: {reason}" for glob, reason in bad.items()]
    kept = [g for g in globs if g not in bad]
    if not kept:
        raise ToolError("invalid glob: " + "; ".join(listed or ["rejected by ripgrep"]))
    notes += [f"{line}; not used" for line in listed]
    return kept


def _usable_patterns(binary: str, patterns: list[str], stderr: str, notes: list[str], time_left: float
                     ) -> list[str]:
    """The patterns left once those rg cannot compile are named in notes.

    Raises:
        ToolError: every pattern is invalid, or rg failed for another reason.
    """
    bad = dict(rg.bad_patterns(binary, patterns, time_left)) if "regex" in stderr else {}
    if not bad:
        raise ToolError(f"rg failed: {rg.error_reason(stderr)}")
    listed = [f"pattern {patterns.index(p) + 1} `{shorten(p, 60)}`: {reason}" for p, reason in bad.items()]
    kept = [p for p in patterns if p not in bad]
    if not kept:
        raise ToolError(f"invalid regex (ripgrep/Rust syntax): {'; '.join(listed)}")
    notes += [f"{line}; not searched" for line in listed]
    return kept


def _check(request: SearchRequest) -> None:
    if not request.patterns:
        raise ToolError("patterns is empty: give at least one regex")
    if any(p == "" for p in request.patterns):
        raise ToolError("an empty pattern matches every line; remove it or give a real regex")
    for name, items, limit in (("patterns", request.patterns, MAX_PATTERNS), ("paths", request.paths, MAX_PATHS),
                               ("globs", request.globs, MAX_GLOBS)):
        if len(items) > limit:
            raise ToolError(f"{len(items)} {name}: at most {limit} per call; split the call or use a broader one")
    if not request.paths:
        raise ToolError('paths is empty: give at least one file or directory (e.g. ".")')
    if request.context < 0 or request.offset < 0:
        raise ToolError("context and offset cannot be negative")
    check_max_tokens(request.max_tokens)


def _capped_note(binary: str, request: SearchRequest, targets: list[str], root: Path, deadline: Deadline) -> str:
    counted = rg.count_matches(binary, request.patterns, request.globs, targets, root, deadline.left())
    total = f"; in all {counted[1]:,} matches in {counted[0]:,} files" if counted else ""
    return f"rg printed over {rg.MAX_OUTPUT_BYTES / 2**20:.3g} MB: stopped reading{total}; narrow paths or patterns"


@dataclass(frozen=True)
class _Prepared:
    index: int  # in the sorted list of matching files
    hits: FileHits
    text: FileText
    windows: list[Window]
    occurrences_before: int  # the offset value at this file's first window
    unparsed: int  # occurrences after the windowed lines: more than any page could show, never parsed


def _page(root: Path, request: SearchRequest, files: list[FileHits], notes: list[str], complete: bool,
          deadline: Deadline) -> SearchOutcome:
    budget = Budget(request.max_tokens, reserve_tokens=NOTES_TOKENS)
    notes = [shorten(n, NOTE_CHARS) for n in notes]
    for note in notes:
        budget.take(note)
    legend = _legend(request.patterns) if len(request.patterns) > 1 else ""
    if legend:
        budget.take(legend)
    prepared, out_of_time = _prepare(root, request, files, budget, notes, deadline)
    complete = complete and not out_of_time
    attribution = _attribution(request.patterns, prepared, deadline) if legend else None
    shown = Shown()
    for item in prepared:
        shown.occurrences = item.occurrences_before
        add_file(shown, budget, item.hits.path, item.text, item.windows, attribution)
        if not shown.stopped and item.unparsed:  # cannot happen: what was parsed alone overflows; stay exact anyway
            shown.stopped = True
        if shown.stopped:
            shown.omitted.matches += item.unparsed
            if item.unparsed and item.text.total is not None:  # the lines past the windowed ones, at most
                shown.omitted.lines += max(item.text.total - item.windows[-1].end, 0)
            rest = files[item.index + 1 :]
            shown.omitted.files += len(rest)
            shown.omitted.matches += sum(f.matches for f in rest)
            break
    return _finish(request, files, shown, notes, legend, attribution, complete)


def _prepare(root: Path, request: SearchRequest, files: list[FileHits], budget: Budget, notes: list[str],
             deadline: Deadline) -> tuple[list[_Prepared], bool]:
    """Read and window the files from the offset on, until their lines alone would overflow the budget.

    Of a file's matching lines only as many are parsed and windowed as the room left could show (each shown line
    costs at least MIN_LINE_CHARS), so a file matching on every one of its million lines costs a page, not a million.
    """
    # a definition is shown whole up to about a third of the budget (at ~30 characters a line)
    max_symbol_lines = max(40, min(300, budget.limit // 3 // 30))
    prepared: list[_Prepared] = []
    before = 0  # occurrences in the files before the current one
    least_cost = 0  # a lower bound of what the prepared windows take when laid out
    for index, hits in enumerate(files):
        if before + hits.matches <= request.offset:
            before += hits.matches
            continue
        if deadline.passed:
            notes.append(f"stopped after {deadline.seconds:g}s (the time budget of this call) while reading the "
                         f"matching files: results are partial; continue with offset={before} or narrow the search")
            budget.take(notes[-1])
            return prepared, True
        showable = budget.left // MIN_LINE_CHARS + 1
        match_lines, covered = _uncovered(hits.line_counts(), request.offset - before, showable)
        if not match_lines:
            before += hits.matches
            continue
        unparsed = hits.matches - covered - sum(count for _, count in match_lines)
        try:
            text, windows = _windows(root, hits.path, match_lines, request, max_symbol_lines)
        except (OSError, ToolError) as exc:  # deleted, unreadable or now leading out since rg saw it
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            reason = reason.removeprefix(f"{hits.path}: ")  # our messages name the path already
            notes.append(shorten(f"{hits.path}: skipped ({reason})", NOTE_CHARS))
            budget.take(notes[-1])
            before += hits.matches
            continue
        prepared.append(_Prepared(index, hits, text, windows, before + covered, unparsed))
        least_cost += sum(len(text.shown(n)) + 1 for w in windows for n in range(w.start, w.end + 1))
        if least_cost > budget.left:
            break
        before += hits.matches
    return prepared, False


def _attribution(patterns: list[str], prepared: list[_Prepared], deadline: Deadline) -> Attribution:
    lines = {(p.hits.path, line): p.text.get(line) for p in prepared for w in p.windows for line in w.matches}
    return attribute(rg.find_rg(), patterns, lines, timeout=deadline.left())


def _windows(root: Path, path: str, match_lines: MatchLines, request: SearchRequest, max_symbol_lines: int
             ) -> tuple[FileText, list[Window]]:
    # rg neither leaves its targets nor follows links, but a file may have been swapped for a link since it looked
    full = resolve_in_root(root, path)
    text = read_file_text(root, full, match_lines[-1][0] + request.context, path)
    symbols = []
    if request.scope == "symbol" and text.whole and text.size <= OUTLINE_MAX_BYTES:
        symbols = outline(text.text, path)
    if symbols:
        windows = widen(match_lines, request.context, text.total, lambda line: enclosing(symbols, line),
                        max_symbol_lines)
    else:
        windows = around(match_lines, request.context, text.total)
    return text.keep(((w.start, w.end) for w in windows), (line for w in windows for line in w.matches)), windows


def _uncovered(line_counts: Iterable[tuple[int, int]], covered_before: int, limit: int) -> tuple[MatchLines, int]:
    """At most `limit` matching lines after the first matches a previous page showed (`covered_before`
    occurrences); say how many occurrences were dropped as shown before."""
    covered = 0
    kept: MatchLines = []
    for line, count in line_counts:
        if covered < covered_before:
            covered += count
            continue
        kept.append((line, count))
        if len(kept) >= limit:
            break
    return kept, covered


def _finish(request: SearchRequest, files: list[FileHits], shown: Shown, notes: list[str], legend: str,
            attribution: Attribution | None, complete: bool) -> SearchOutcome:
    total = sum(f.matches for f in files)
    unmatched: list[str] = []
    if not files:
        unmatched = list(request.patterns)
    elif attribution is not None and complete and not shown.stopped and request.offset == 0:
        unmatched = [p for i, p in enumerate(request.patterns) if i not in attribution.seen]
    closing: list[str] = []
    if not files:
        where = ", ".join(request.paths)
        closing.append(_listing(f"no matches in {where} (.gitignore'd, hidden and binary files are skipped) for",
                                [f"`{p}`" for p in unmatched]))
    elif unmatched:
        closing.append(_listing("no match for", [f"`{p}`" for p in unmatched]))
    if shown.cut_note:
        closing.append(shorten(shown.cut_note, NOTE_CHARS))
    next_offset = None
    if shown.stopped:
        next_offset = shown.occurrences
        closing.append(_omitted_note(shown, next_offset))
    elif request.offset and not shown.files:
        closing.append(f"nothing left after offset={request.offset}: {total} matches in all")
    notes, closing = [one_line(n) for n in notes], [one_line(n) for n in closing]  # they quote file names
    lines = ([one_line(legend)] if legend else []) + shown.lines + notes + closing
    result = GrepAndReadResult(
        files=shown.files, files_matched=len(files), matches=total, omitted=shown.omitted, next_offset=next_offset,
        complete=complete, unmatched_patterns=unmatched, notes=notes + closing,
    )
    return SearchOutcome("\n".join(lines), result)


def _omitted_note(shown: Shown, next_offset: int) -> str:
    o = shown.omitted
    where: list[str] = []
    if o.file and (o.windows or o.lines):
        windows = f"{_count(o.windows, 'more window')}, " if o.windows else ""
        where.append(f"{windows}{_count(o.lines, 'line')} of {shorten(o.file, 80)}")
    if o.files:
        where.append(_count(o.files, "more file"))
    matches = f", with {_count(o.matches, 'match', 'matches')}" if o.matches else ""
    return (f"omitted (max_tokens reached): {' and '.join(where)}{matches}; continue with offset={next_offset}, "
            "or narrow paths/patterns/globs")


def _count(n: int, one: str, many: str = "") -> str:
    return "" if n == 0 else f"{n:,} {one if n == 1 else (many or one + 's')}"


def _legend(patterns: list[str]) -> str:
    named = " ".join(f"p{i + 1}=`{shorten(p, LEGEND_PATTERN_CHARS)}`" for i, p in enumerate(patterns))
    return shorten(f"patterns: {named}", NOTE_CHARS * 2)


def _listing(what: str, items: list[str], shown: int = 8) -> str:
    more = f" (+{len(items) - shown} more)" if len(items) > shown else ""
    return shorten(f"{what}: {', '.join(items[:shown])}{more}", NOTE_CHARS)
