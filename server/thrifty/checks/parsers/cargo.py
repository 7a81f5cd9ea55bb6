"""cargo test (and build/check/clippy): rustc `error[E0308]: ...` diagnostics with their ` --> path:line:col`,
`test name ... FAILED` lines, `---- name stdout ----` panic sections, and every `test result:` line summed."""

from __future__ import annotations

import re

from thrifty.checks.model import Finding
from thrifty.checks.parsers.base import ParseContext, Parsed, one_line, squeeze_blank
from thrifty.checks.parsers.frames import is_library

KEEP = r"test \S+ \.\.\. FAILED|---- \S+ stdout ----|test result: |error(?:\[E\d+\])?: |[ \t]+--> \S+:\d+:\d+"
TEST_LINE = re.compile(r"^test (?P<name>\S+) \.\.\. (?P<status>ok|FAILED|ignored)")
SECTION = re.compile(r"^---- (?P<name>\S+) stdout ----$")
RESULT = re.compile(
    r"^test result: (?P<verdict>ok|FAILED)\. (?P<passed>\d+) passed; (?P<failed>\d+) failed; (?P<ignored>\d+) ignored;"
    r" (?P<measured>\d+) measured; (?P<filtered>\d+) filtered out"
)
ERROR = re.compile(r"^error(?:\[(?P<code>E\d+)\])?: (?P<msg>.+)$")
ARROW = re.compile(r"^\s*--> (?P<where>\S+:\d+:\d+)\s*$")
NOISE = re.compile(r"^note: run with `RUST_BACKTRACE=|^note: Some details are omitted|^failures:$")
FRAME = re.compile(r"^\s+\d+: ")  # a backtrace frame: `  3: crate::module::function`, then its `at path:l:c`
FRAME_AT = re.compile(r"^\s+at (?P<path>\S+):\d+:\d+$")
MAX_DIAGNOSTIC_LINES = 15


def sniff(text: str) -> bool:
    return bool(re.search(r"^test result: (?:ok|FAILED)\. ", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    results = [m for m in map(RESULT.match, lines) if m]
    if results:
        keys = ("passed", "failed", "ignored", "measured", "filtered")
        parsed.counts = {k: sum(int(m[k]) for m in results) for k in keys}
        failing = [m.group(0) for m in results if m["verdict"] == "FAILED"]
        parsed.summary = failing[0] if len(results) == 1 or len(failing) == 1 else (
            f"{len(results)} test binaries: " + "; ".join(f"{parsed.counts[k]} {k}" for k in keys[:3])
        )
        parsed.total = parsed.counts["failed"]
    sections = _sections(lines)
    failed = [m["name"] for m in map(TEST_LINE.match, lines) if m and m["status"] == "FAILED"]
    for name in dict.fromkeys(failed + list(sections)):
        body = squeeze_blank(_trim_backtrace([ln for ln in sections.get(name, []) if not NOISE.match(ln)], ctx))
        message = next((ln for ln in body if ln.strip() and not ln.startswith("thread ")), "")
        parsed.findings.append(Finding(name=name, code="FAILED", message=one_line(message), detail="\n".join(body)))
    parsed.findings.extend(_compile_errors(lines))
    if not results and parsed.findings:
        parsed.counts = {"errors": len(parsed.findings)}
    return parsed


def _sections(lines: list[str]) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        match = SECTION.match(line)
        if match:
            current = sections.setdefault(match["name"], [])
        elif current is not None:
            if line.startswith("test result:") or line == "failures:" or line.startswith("---- "):
                current = None
            else:
                current.append(line)
    return {name: _strip_blank(body) for name, body in sections.items()}


def _strip_blank(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _trim_backtrace(lines: list[str], ctx: ParseContext) -> list[str]:
    """Keep the frames in the project's own code; std, core and dependency frames become one note per run."""
    out: list[str] = []
    dropped = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if not FRAME.match(line):
            if dropped:
                out.append(f"  [{dropped} library frames omitted]")
                dropped = 0
            out.append(line)
            i += 1
            continue
        at = FRAME_AT.match(lines[i + 1]) if i + 1 < len(lines) else None
        frame = [line, lines[i + 1]] if at else [line]
        if at and not is_library(at["path"], ctx.root):
            if dropped:
                out.append(f"  [{dropped} library frames omitted]")
                dropped = 0
            out.extend(frame)
        else:
            dropped += 1
        i += len(frame)
    if dropped:
        out.append(f"  [{dropped} library frames omitted]")
    return out


def _compile_errors(lines: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    for i, line in enumerate(lines):
        error = ERROR.match(line)
        if not error or line.startswith("error: test failed") or line.startswith("error: could not compile"):
            continue
        block = []
        for follow in lines[i + 1: i + 1 + MAX_DIAGNOSTIC_LINES]:
            if not follow.strip():
                break
            block.append(follow)
        where = next((m["where"] for m in map(ARROW.match, block) if m), "")
        if where or error["code"]:
            findings.append(Finding(
                name=where or "(build)", code=error["code"] or "error", message=one_line(error["msg"]),
                detail="\n".join(block),
            ))
    return findings
