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
SUMMARIES = [
    re.compile(r"^\s*Tests?:?\s+(?P<text>.*\d+ (?:failed|passed|total|skipped).*)$"),  # jest, vitest
    re.compile(r"^\s*(?:ℹ |# )(?P<text>(?:tests|pass|fail) \d+)\s*$"),  # node:test, TAP
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
    for pattern in SUMMARIES:
        match = last_match(pattern, lines)
        if match:
            parsed.summary = match["text"].strip()
            parsed.counts = counts_from(parsed.summary)
            break
    names: dict[str, None] = {}
    for line in lines:
        for pattern in FAILURE_NAMES:
            match = pattern.match(line)
            if match and len(names) < MAX_GENERIC_FINDINGS:
                names[match["name"]] = None
                break
    parsed.findings = [Finding(name=name, code="FAILED") for name in names]
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
