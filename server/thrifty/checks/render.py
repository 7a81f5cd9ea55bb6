"""The report as compact plain text within max_tokens: failing checks first, every failure named before any
traceback is shown, the first traceback whole and the next ones short, passed checks one line each, and an
"omitted" note for any cut.

Names are listed compactly: tests that fail the same way go under the first one ("same error as above:"), linter
findings under their rule and message, several names in one folder after an `in folder/:` prefix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from thrifty.checks.model import CheckResult, ChecksReport, Finding
from thrifty.checks.parsers.frames import short_traceback
from thrifty.textout import MAX_LINE_CHARS, Budget, clip_line, plural

TRACEBACKS_PER_CHECK = 3  # "the first failures whole": more would crowd out other checks for little gain
NAME_MESSAGE_CHARS = 160
MIN_CUT_DETAIL_LINES = 6  # a first traceback too big for the budget is shown cut only if this much fits
TEST_CODES = {"FAILED", "ERROR", "FAIL", "UNEXPECTED SUCCESS", "panic"}
FAILING = ("timed out", "error", "failed")
INDENT = "    "
ARGUMENTS = re.compile(r"^\w+ = ")
ARGUMENT_CHARS = 100
LOCATION = re.compile(r"^(?P<path>.+?):(?P<where>\d+(?::\d+)?)$")


@dataclass
class _Item:
    finding: Finding
    name_line: str
    detail: list[str]
    header: str = ""  # printed once above a run of inline items: a linter rule, or "same error as above:"
    group: int = -1  # items of one group are named inline, comma-separated, under their header
    repeat: bool = False  # fails with the same error as the failure before it: its traceback adds little
    named: bool = False
    shown: list[str] = field(default_factory=list)  # detail lines chosen
    cut_by_budget: bool = False  # one of the first tracebacks, not shown whole for want of room

    @property
    def inline(self) -> bool:
        return self.group >= 0


@dataclass
class _Section:
    result: CheckResult
    fixed: list[str]
    items: list[_Item]
    tail: list[str]


def render_report(report: ChecksReport, max_tokens: int) -> str:
    room = Budget(max_tokens)
    top = _top_lines(report)
    room.take_all(top)
    failing = [r for r in report.checks if r.status in FAILING]
    failing.sort(key=lambda r: FAILING.index(r.status))
    quiet = [r for r in report.checks if r.status not in FAILING]
    sections = [_section(r) for r in failing]
    quiet_lines = [_quiet_line(r) for r in quiet]
    dropped_checks = 0
    for section in sections:  # headers, summaries and log paths always come first
        if not room.take_all([*section.fixed, _log_line(section.result, True)]):
            section.fixed, dropped_checks = [], dropped_checks + 1
    kept_quiet = [line for line in quiet_lines if room.take_all([line])]
    dropped_checks += len(quiet_lines) - len(kept_quiet)
    _name_all(sections, room)
    _add_details(sections, room)
    _add_tails(sections, room)
    lines = list(top)
    for section in sections:
        if section.fixed:
            lines.extend(_emit(section))
    lines.extend(kept_quiet)
    if dropped_checks:
        dropped = plural(dropped_checks, "check")
        lines.append(f"[{dropped} omitted: max_tokens too small; raise it or name fewer checks]")
    return "\n".join(lines)


def _top_lines(report: ChecksReport) -> list[str]:
    states = ", ".join(f"{r.name} {r.status.upper() if r.status in FAILING else r.status}" for r in report.checks)
    lines = [f"run_checks: {states} · {plural(len(report.checks), 'check')} in {report.wall_s:.1f}s wall"]
    if report.config == "detected":
        lines.append(f"detected (no [tool.thrifty.checks] configured): {', '.join(report.detected)}")
    if report.narrowed_by:
        narrowed = [r.name for r in report.checks if r.narrowed_to]
        whole = [r.name for r in report.checks if r.narrowed_to is None]
        parts = [f"narrowed to {report.narrowed_by}: {', '.join(narrowed) or 'none'}"]
        if whole:
            parts.append(f"ran whole (take no file arguments): {', '.join(whole)}")
        lines.append("; ".join(parts))
    return lines


def _section(result: CheckResult) -> _Section:
    status = result.status.upper()
    exit_part = f" · exit {result.exit_code}" if result.exit_code is not None else ""
    timing = f" · {result.duration_s:.1f}s" if result.duration_s else ""
    fixed = [clip_line(f"== {result.name}: {status}{exit_part}{timing} · {result.command} ==")]
    if result.message:
        fixed.append(result.message)
    if result.leftovers:
        fixed.append(_leftovers(result))
    if result.summary:
        fixed.append(f"summary: {result.summary}")
    elif result.status == "failed":
        fixed.append(f"summary: none printed by the tool; {len(result.findings)} findings parsed")
    return _Section(result, fixed, _items(result.findings), _indented(result.output_tail))


def _items(findings: list[Finding]) -> list[_Item]:
    """Test failures one per line, those failing the same way listed inline after the first; linter findings
    grouped by rule and message, their locations inline (`path:line:col, ...`)."""
    located = [(f, LOCATION.match(f.name)) for f in findings]
    if all(match and f.code not in TEST_CODES for f, match in located):
        return _lint_items([(f, match) for f, match in located if match])
    # One bug often fails many tests the same way: keep those together (groups in order of first failure), show
    # the first with its message and traceback and name the others inline. Messages that differ only in their
    # numbers (`got -3`, `got -5`) count as the same error, said so.
    first: dict[tuple[str, str], int] = {}
    for finding in findings:
        first.setdefault(_error_key(finding), len(first))
    ordered = sorted(findings, key=lambda f: first[_error_key(f)])
    items: list[_Item] = []
    lead: Finding | None = None
    for finding in ordered:
        detail = _indented(finding.detail.splitlines())
        message = _short(finding.message)
        if lead is not None and message and _error_key(finding) == _error_key(lead):
            exact = finding.message == lead.message
            header = SAME_ERROR if exact else SAME_ERROR_OTHER_NUMBERS
            items.append(_Item(finding, finding.name, [], header=header,
                               group=2 * first[_error_key(finding)] + (0 if exact else 1), repeat=True))
            continue
        lead = finding
        items.append(_Item(finding, _name_line(finding, message), detail))
    items.sort(key=lambda item: (first[_error_key(item.finding)], item.group))  # exact repeats before the others
    return items


SAME_ERROR = "  same error as above:"
SAME_ERROR_OTHER_NUMBERS = "  same error as above, other numbers:"
_NUMBERS = re.compile(r"\d+")


def _error_key(finding: Finding) -> tuple[str, str]:
    return finding.code, _NUMBERS.sub("#", _short(finding.message))


def _lint_items(located: list[tuple[Finding, re.Match[str]]]) -> list[_Item]:
    """Findings by rule and message, groups in the order the tool first reported them, paths as it printed them."""
    groups: dict[tuple[str, str], int] = {}
    messages: dict[int, set[str]] = {}
    for finding, _ in located:
        group = groups.setdefault(_error_key(finding), len(groups))
        messages.setdefault(group, set()).add(finding.message)
    headers: dict[int, str] = {}
    for finding, _ in located:
        group = groups[_error_key(finding)]
        if group not in headers:
            vary = " · numbers vary" if len(messages[group]) > 1 else ""
            headers[group] = clip_line(" ".join(p for p in (finding.code, _short(finding.message)) if p) + vary)
    items = [
        _Item(finding, f"{match['path']}:{match['where']}", _indented(finding.detail.splitlines()),
              header=headers[groups[_error_key(finding)]], group=groups[_error_key(finding)])
        for finding, match in located
    ]
    items.sort(key=lambda item: item.group)
    return items


def _indented(lines: list[str]) -> list[str]:
    return [clip_line(INDENT + line, _limit(line)).rstrip() for line in lines]


def _limit(line: str) -> int:
    # pytest prints a frame's arguments as `name = repr`; a long repr is clipped like pytest's own saferepr does
    return ARGUMENT_CHARS if ARGUMENTS.match(line) else MAX_LINE_CHARS


def _short(message: str) -> str:
    return message if len(message) <= NAME_MESSAGE_CHARS else message[: NAME_MESSAGE_CHARS - 1] + "…"


def _name_line(finding: Finding, message: str) -> str:
    if finding.code in TEST_CODES:
        return clip_line(f"{finding.code} {finding.name}" + (f" - {message}" if message else ""))
    return clip_line(" ".join(p for p in (finding.name, finding.code, message) if p))


def _name_all(sections: list[_Section], room: Budget) -> None:
    """Every failure named, round-robin across checks so one noisy linter cannot starve the test names."""
    headed: list[set[int]] = [set() for _ in sections]
    rank = 0
    while any(rank < len(s.items) for s in sections):
        for section, heads in zip(sections, headed, strict=True):
            if section.fixed and rank < len(section.items):
                item = section.items[rank]
                if not item.inline:
                    item.named = room.take_all([item.name_line])
                    continue
                # inline: ", " joins it to the others (the newline counted for each line stands for the space)
                lines = [item.name_line + ","]
                if item.group not in heads:
                    lines = [item.header, INLINE_INDENT + item.name_line]
                item.named = room.take_all(lines)
                if item.named:
                    heads.add(item.group)
        rank += 1


def _add_details(sections: list[_Section], room: Budget) -> None:
    """The first tracebacks of each check: the first whole, the next in pytest's short form (each frame's location
    and failing line, and the error) when it printed the long one; round-robin by rank so every check gets its
    first one first."""
    queues = [[i for i in s.items if i.named and i.detail][:TRACEBACKS_PER_CHECK] for s in sections]
    for rank in range(TRACEBACKS_PER_CHECK):
        for section, queue in zip(sections, queues, strict=True):
            if rank >= len(queue):
                continue
            item = queue[rank]
            if rank > 0:
                item.detail = short_traceback(item.detail)
            if room.take_all(item.detail):
                item.shown = item.detail
                continue
            item.cut_by_budget = True
            if rank == 0:
                item.shown = _cut_detail(item.detail, room, section.result.log_path)


def _cut_detail(detail: list[str], room: Budget, log_path: str) -> list[str]:
    note = f"{INDENT}[{{}} more lines of this traceback omitted; full log: {log_path}]"
    reserved = [note.format(len(detail))]  # the longest the note can be, so it always fits after the lines
    if not room.take_all(reserved):
        return []
    shown: list[str] = []
    for line in detail:
        if not room.take_all([line]):
            break
        shown.append(line)
    if len(shown) < MIN_CUT_DETAIL_LINES:
        room.give_back([*shown, *reserved])
        return []
    return [*shown, note.format(len(detail) - len(shown))]


def _add_tails(sections: list[_Section], room: Budget) -> None:
    for section in sections:
        if section.fixed and section.tail:
            header = "last lines of output:"
            kept: list[str] = []
            for line in reversed(section.tail):  # the end matters most: that is where it stopped or said why
                if not room.take_all([line]):
                    break
                kept.insert(0, line)
            section.tail = [header, *kept] if kept and room.take_all([header]) else []


def _emit(section: _Section) -> list[str]:
    lines = list(section.fixed)
    run: list[_Item] = []
    for item in section.items:
        if not item.named:
            continue
        if run and (not item.inline or item.group != run[0].group):
            lines.extend(_inline_run(run))
            run = []
        if item.inline:
            run.append(item)
            continue
        lines.append(item.name_line)
        lines.extend(item.shown)
    lines.extend(_inline_run(run))
    lines.extend(section.tail)
    lines.append(_log_line(section.result, _omitted(section)))
    return lines


INLINE_INDENT = "    "
INLINE_WIDTH = 200


def _inline_run(run: list[_Item]) -> list[str]:
    """The header of a group, then its names comma-separated on lines of about INLINE_WIDTH characters; several
    names in one folder are listed after it (`in tests/: a.py:3:1, b.py:9:5`, folders in the order first met)."""
    if not run:
        return []
    folders: dict[str, list[str]] = {}
    for item in run:
        folders.setdefault(_folder(item.name_line), []).append(item.name_line)
    lines = [run[0].header]
    for folder, names in folders.items():
        prefix = f"{INLINE_INDENT}in {folder}: " if folder and len(names) > 1 else INLINE_INDENT
        if prefix != INLINE_INDENT:
            names = [name[len(folder):] for name in names]
        line = ""
        for index, name in enumerate(names):
            piece = name + ("," if index < len(names) - 1 else "")
            if line and len(line) + 1 + len(piece) > INLINE_WIDTH:
                lines.append(line)
                line, prefix = "", INLINE_INDENT + CONTINUED if prefix != INLINE_INDENT else prefix
            line = f"{line} {piece}" if line else prefix + piece
        lines.append(line)
    return lines


CONTINUED = "  "  # a wrapped line of one folder's names: indented under its `in folder:` line


def _folder(name: str) -> str:
    """`tests/unit/` for `tests/unit/test_a.py::test_x[a/b]` or `tests/unit/a.py:3:1`; '' for a bare file name."""
    path = name.split("::", 1)[0]
    match = LOCATION.match(path)
    folder = (match["path"] if match else path).rpartition("/")[0]
    return f"{folder}/" if folder else ""


def _omitted(section: _Section) -> tuple[str, bool]:
    """What the section leaves out, and whether a larger budget would have shown more of it."""
    result = section.result
    noun = "failures" if any(i.finding.code in TEST_CODES for i in section.items) else "findings"
    parts = []
    unnamed = sum(1 for i in section.items if not i.named)
    if unnamed:
        parts.append(f"{unnamed} more {noun} not named (budget)")
    unseen = result.findings_total - len(result.findings)
    if unseen > 0:
        parts.append(f"{unseen} more {noun} counted by the tool but not in the kept output")
    untraced = [i for i in section.items if i.named and i.detail and not i.repeat and not i.shown]
    if untraced:
        parts.append(f"{len(untraced)} more tracebacks/details (names listed above)")
    return "; ".join(parts), bool(unnamed) or any(i.cut_by_budget for i in section.items)


MORE_HINT = "for more, call again with a larger max_tokens or fewer checks/paths"


def _log_line(result: CheckResult, omitted: tuple[str, bool] | bool) -> str:
    size = f" ({result.output_bytes:,} bytes{', capped' if result.log_truncated else ''})" if result.log_path else ""
    path = result.log_path or "none (it did not start)"
    if omitted is True:  # room reserved for the longest form of this line
        return f"omitted: {'x' * 160}; full log: {path}{size}; {MORE_HINT}"
    if isinstance(omitted, tuple) and omitted[0]:
        hint = f"; {MORE_HINT}" if omitted[1] else ""
        return f"omitted: {omitted[0]}; full log: {path}{size}{hint}"
    return f"log: {path}{size}"


def _quiet_line(result: CheckResult) -> str:
    if result.status == "skipped":
        return clip_line(f"{result.name}: skipped · {result.message}")
    summary = f" · {result.summary}" if result.summary else ""
    ended = f" · {_leftovers(result)}" if result.leftovers else ""
    return clip_line(f"{result.name}: passed · {result.duration_s:.1f}s{summary}{ended} · log: {result.log_path}")


def _leftovers(result: CheckResult) -> str:
    """'ended 2 processes it left running: sleep (pid 12), node (pid 14)': the check's escapees, ended by thrifty."""
    count = len(result.leftovers)
    listed = ", ".join(result.leftovers[:5]) + (f" and {count - 5} more" if count > 5 else "")
    return clip_line(f"ended {count} process{'es' if count != 1 else ''} it left running: {listed}")


TEST_LINE = re.compile(r"^(?:FAILED|ERROR|FAIL|UNEXPECTED SUCCESS|panic) (?P<name>.+?)(?: - .*)?$")
INLINE_LOCATION = re.compile(r"^\S+:\d+(?::\d+)?$")


def named_in_text(text: str) -> set[str]:
    """The failures a rendered text names (for checking): test ids, and linter findings as `path:line:col CODE`
    (the code is the first word of the group's header)."""
    names: set[str] = set()
    header = folder = ""
    for line in text.splitlines():
        test = TEST_LINE.match(line)
        if line.startswith(INLINE_INDENT) and header:
            listed = line[len(INLINE_INDENT):]
            if listed.startswith(CONTINUED):
                listed = listed[len(CONTINUED):]
            else:
                folder = ""
            if listed.startswith("in ") and ": " in listed:
                folder, _, listed = listed[3:].partition(": ")
            pieces = [folder + p.strip() for p in listed.rstrip(",").split(", ")]
            if header in (SAME_ERROR, SAME_ERROR_OTHER_NUMBERS):
                names.update(pieces)
            elif all(INLINE_LOCATION.match(p) for p in pieces):
                names.update(f"{p} {header.split(' ', 1)[0]}" for p in pieces)
            continue
        header = ""
        if test:
            names.add(test["name"])
        elif line in (SAME_ERROR, SAME_ERROR_OTHER_NUMBERS) or (line and not line.startswith((" ", "=="))):
            header = line
    return names
