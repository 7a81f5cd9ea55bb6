"""Output no known parser claims (npm test, make, scripts): jest/vitest/TAP/node:test summaries and failure names,
compiler-style `path:line[:col]: message` lines, Python tracebacks; otherwise the render shows the output's tail."""

from __future__ import annotations

import re

from thrifty.checks.model import Finding
from thrifty.checks.parsers.base import ParseContext, Parsed, counts_from, last_match, one_line
from thrifty.checks.parsers.frames import trim_python_traceback

KEEP = (
    r"[ \t]*(?:●|✕|×|not ok \d+|FAIL\b|Tests?:|Test Suites:|ℹ |# (?:pass|fail))"
    r"|\S+:\d+(?::\d+)?: (?:error|fatal)|Traceback "
)
TAP_COUNT = re.compile(r"^\s*(?:ℹ |# )(?P<word>tests|pass|fail|cancelled|skipped|todo) (?P<n>\d+)\s*$")  # node:test
TAP_FAIL = re.compile(r"^not ok \d+ - ")
JEST_FAIL = re.compile(r"^\s*● ")
JEST_END = re.compile(r"^\s*●|^ ?(?:PASS|FAIL) |^(?:Test Suites|Tests|Snapshots|Time):")
JEST_NOISE = re.compile(r"^\s*at .*(?:node_modules/|node:internal|\(<anonymous>\))")
MAX_JEST_LINES = 30
TAP_NOISE = re.compile(r"^\s*(?:duration_ms|failureType|code|operator):|node:(?:internal|async_hooks)")
SUMMARIES = [
    re.compile(r"^\s*Tests?:?\s+(?P<text>.*\d+ (?:failed|passed|total|skipped).*)$"),  # jest, vitest
    re.compile(r"^\s*(?P<text>(?:\d+ (?:passing|failing|pending)\s*(?:\([^)]*\))?\s*)+)$"),  # mocha
    re.compile(r"^(?:\w+: )?(?P<text>\d+ passed, \d+ failed(?:, \d+ skipped)?)\s*$"),  # the plain closing line
]
FAILURE_NAMES = [
    re.compile(r"^\s*● (?P<name>.+?)\s*$"),  # jest failure header
    re.compile(r"^\s*(?:✕|×) (?P<name>.+?)(?: \(\d+ ?m?s\))?\s*$"),  # jest/vitest list
    re.compile(r"^not ok \d+ - (?P<name>.+?)(?:\s+#.*)?$"),  # TAP
    re.compile(r"^\s*\d+\) (?P<name>.+?):?\s*$"),  # mocha
]
COMPILER = re.compile(
    r"^(?P<where>[^\s:][^:]*\.\w+:\d+(?::\d+)?):\s*(?P<sev>error|fatal error|Error)\b:?\s*(?P<msg>.*)$"
)
TRACEBACK = "Traceback (most recent call last):"
MAX_GENERIC_FINDINGS = 500


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    tap = {m["word"]: int(m["n"]) for m in map(TAP_COUNT.match, lines) if m}
    if tap:
        parsed.summary = ", ".join(f"{word} {n}" for word, n in tap.items())
        parsed.counts = tap
    for pattern in SUMMARIES if not tap else []:
        match = last_match(pattern, lines)
        if match:
            parsed.summary = match["text"].strip()
            parsed.counts = counts_from(parsed.summary)
            break
    names: dict[str, str] = {}
    for i, line in enumerate(lines):
        for pattern in FAILURE_NAMES:
            match = pattern.match(line)
            if match and len(names) < MAX_GENERIC_FINDINGS:
                detail = _tap_detail(lines, i) if TAP_FAIL.match(line) else ""
                detail = _jest_detail(lines, i) if JEST_FAIL.match(line) else detail
                if detail or match["name"] not in names:
                    names[match["name"]] = detail
                break
    parsed.findings = [Finding(name=name, code="FAILED", detail=detail) for name, detail in names.items()]
    for finding in parsed.findings:
        finding.message = _tap_message(finding.detail)  # the first meaningful line, for jest too
    if tap:
        parsed.total = tap.get("fail", 0)
    for line in lines:
        match = COMPILER.match(line)
        if match and len(parsed.findings) < MAX_GENERIC_FINDINGS:
            parsed.findings.append(Finding(name=match["where"], code="error", message=one_line(match["msg"])))
    if TRACEBACK in text and not parsed.findings:
        start = max(i for i, ln in enumerate(lines) if ln.startswith(TRACEBACK))
        detail = trim_python_traceback(lines[start:], ctx.root)
        message = next((ln for ln in reversed(detail) if ln.strip() and not ln.startswith(" ")), "traceback")
        parsed.findings.append(Finding(name="traceback", code="error", message=one_line(message),
                                       detail="\n".join(detail)))
    return parsed


def _jest_detail(lines: list[str], start: int) -> str:
    """A jest/vitest failure block: the expectation, the code frame and the stack, without library frames."""
    body: list[str] = []
    for line in lines[start + 1:]:
        if JEST_END.match(line) or len(body) >= MAX_JEST_LINES:
            break
        if not JEST_NOISE.match(line):
            body.append(line.rstrip())
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    return "\n".join(body)


def _tap_message(detail: str) -> str:
    lines = [ln.strip() for ln in detail.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if line.startswith("error:"):
            message = line[len("error:"):].strip(" |-'\"")
            return one_line(message or (lines[i + 1] if i + 1 < len(lines) else ""))
    return one_line(lines[0]) if lines else ""


def _tap_detail(lines: list[str], start: int) -> str:
    """The YAML block under a TAP `not ok` line (up to its `...`), without timings and runtime-internal frames."""
    body: list[str] = []
    for line in lines[start + 1:]:
        if line.strip() == "...":
            break
        if line.strip() != "---" and line.strip() and not TAP_NOISE.search(line):
            body.append(line.rstrip())
    return "\n".join(body)
