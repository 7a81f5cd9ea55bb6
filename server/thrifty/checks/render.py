"""The report as compact plain text within max_tokens: failing checks first, every failure named before any
traceback is shown, the first tracebacks whole, passed checks one line each, and an "omitted" note for any cut."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from thrifty.checks.model import CheckResult, ChecksReport, Finding
from thrifty.textout import MAX_LINE_CHARS, Budget, clip_line, plural

TRACEBACKS_PER_CHECK = 3  # "the first failures whole": more would crowd out other checks for little gain
NAME_MESSAGE_CHARS = 160
MIN_CUT_DETAIL_LINES = 6  # a first traceback too big for the budget is shown cut only if this much fits
TEST_CODES = {"FAILED", "ERROR", "FAIL", "UNEXPECTED SUCCESS", "panic"}
FAILING = ("timed out", "error", "failed")
INDENT = "    "
ARGUMENTS = re.compile(r"^\w+ = ")
ARGUMENT_CHARS = 160
LOCATION = re.compile(r"^(?P<path>.+?):(?P<where>\d+(?::\d+)?)$")


@dataclass
class _Item:
    finding: Finding
    name_line: str
    detail: list[str]
    header: str = ""  # a linter finding's file, printed once above its findings
    repeat: bool = False  # fails with the same error as the failure before it: its traceback adds little
    named: bool = False
    shown: list[str] = field(default_factory=list)  # detail lines chosen


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
    """Test failures one per line; linter findings grouped under their file (`path:` then `  line:col CODE msg`)."""
    items: list[_Item] = []
    previous = ""
    located = [(f, LOCATION.match(f.name)) for f in findings]
    if all(match and f.code not in TEST_CODES for f, match in located):
        first_seen: dict[str, int] = {}
        for _, match in located:
            if match:
                first_seen.setdefault(match["path"], len(first_seen))
        located.sort(key=lambda pair: first_seen[pair[1]["path"]] if pair[1] else 0)  # files in the tool's order
    if not all(match and f.code not in TEST_CODES for f, match in located):
        # One bug often fails many tests the same way: keep those together (groups in order of first failure) and
        # say "same error" instead of repeating the message.
        first: dict[str, int] = {}
        for finding, _ in located:
            first.setdefault(finding.message, len(first))
        located.sort(key=lambda pair: first[pair[0].message])
    for finding, match in located:
        detail = _indented(finding.detail.splitlines())
        if match and finding.code not in TEST_CODES:
            line = clip_line(" ".join(p for p in ("  " + match["where"], finding.code, _short(finding.message)) if p))
            items.append(_Item(finding, line, detail, header=f"{match['path']}:"))
            continue
        message = _short(finding.message)
        same = bool(message) and message == previous
        previous = message
        name_line = _name_line(finding, "(same error as above)" if same else message)
        items.append(_Item(finding, name_line, [] if same else detail, repeat=same))
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
    headed: list[set[str]] = [set() for _ in sections]
    rank = 0
    while any(rank < len(s.items) for s in sections):
        for section, heads in zip(sections, headed, strict=True):
            if section.fixed and rank < len(section.items):
                item = section.items[rank]
                lines = [item.header, item.name_line] if item.header and item.header not in heads else [item.name_line]
                item.named = room.take_all(lines)
                if item.named and item.header:
                    heads.add(item.header)
        rank += 1


def _add_details(sections: list[_Section], room: Budget) -> None:
    """The first tracebacks of each check, whole; round-robin by rank so every check gets its first one first."""
    queues = [[i for i in s.items if i.named and i.detail][:TRACEBACKS_PER_CHECK] for s in sections]
    for rank in range(TRACEBACKS_PER_CHECK):
        for section, queue in zip(sections, queues, strict=True):
            if rank >= len(queue):
                continue
            item = queue[rank]
            if room.take_all(item.detail):
                item.shown = item.detail
            elif rank == 0:
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
    header = ""
    for item in section.items:
        if item.named:
            if item.header and item.header != header:
                lines.append(item.header)
                header = item.header
            lines.append(item.name_line)
            lines.extend(item.shown)
    lines.extend(section.tail)
    lines.append(_log_line(section.result, _omitted(section)))
    return lines


def _omitted(section: _Section) -> str:
    result = section.result
    noun = "failures" if any(i.finding.code in TEST_CODES for i in section.items) else "findings"
    parts = []
    unnamed = sum(1 for i in section.items if not i.named)
    if unnamed:
        parts.append(f"{unnamed} more {noun} not named (budget)")
    unseen = result.findings_total - len(result.findings)
    if unseen > 0:
        parts.append(f"{unseen} more {noun} counted by the tool but not in the kept output")
    untraced = sum(1 for i in section.items if i.named and (i.detail or i.repeat) and not i.shown)
    if untraced:
        parts.append(f"{untraced} more tracebacks/details (names listed above)")
    return "; ".join(parts)


MORE_HINT = "for more, call again with a larger max_tokens or fewer checks/paths"


def _log_line(result: CheckResult, omitted: str | bool) -> str:
    size = f" ({result.output_bytes:,} bytes{', capped' if result.log_truncated else ''})" if result.log_path else ""
    path = result.log_path or "none (it did not start)"
    if omitted and isinstance(omitted, str):
        return f"omitted: {omitted}; full log: {path}{size}; {MORE_HINT}"
    if omitted is True:  # room reserved for the longest form of this line
        return f"omitted: {'x' * 160}; full log: {path}{size}; {MORE_HINT}"
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
GROUPED_LINE = re.compile(r"^  (?P<where>\d+(?::\d+)?) (?P<code>\S+)")


def named_in_text(text: str) -> set[str]:
    """The failures a rendered text names: test ids, and linter findings as `path:line:col CODE` (for checking)."""
    names: set[str] = set()
    header = ""
    for line in text.splitlines():
        test = TEST_LINE.match(line)
        grouped = GROUPED_LINE.match(line)
        if line.endswith(":") and not line.startswith(" ") and " " not in line:
            header = line[:-1]
        elif grouped and header:
            names.add(f"{header}:{grouped['where']} {grouped['code']}")
        elif test:
            names.add(test["name"])
    return names
