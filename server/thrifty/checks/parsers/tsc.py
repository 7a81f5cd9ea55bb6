"""TypeScript's tsc: `path(line,col): error TS1234: message` (plain) or `path:line:col - error TS1234: message`
(--pretty), continuation lines indented, and "Found N errors ..." (pretty output only)."""

from __future__ import annotations

import re

from thrifty.checks.parsers.base import ParseContext, Parsed, located, take_summary

KEEP = r"\S+(?:\(\d+,\d+\):|:\d+:\d+ -) (?:error|warning) TS\d+|Found \d+ errors?"
LINE = re.compile(
    r"^(?P<path>[^\s(:][^(:]*?)(?:\((?P<line>\d+),(?P<col>\d+)\):|:(?P<line2>\d+):(?P<col2>\d+) -) "
    r"(?P<sev>error|warning) (?P<code>TS\d+): (?P<msg>.*)$"
)
SUMMARY = re.compile(r"^Found (?P<n>\d+) errors?\b.*$")
MAX_DETAIL = 6


def sniff(text: str) -> bool:
    return bool(re.search(r"(?:\(\d+,\d+\):|:\d+:\d+ -) error TS\d+: ", text))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    summary = take_summary(parsed, SUMMARY, lines)
    if summary:
        parsed.total = int(summary["n"])
        parsed.counts = {"errors": parsed.total}
    detail: list[str] = []
    for line in lines:
        match = LINE.match(line)
        if match:
            detail = []
            line_no, col = match["line"] or match["line2"], match["col"] or match["col2"]
            parsed.findings.append(located(match["path"], line_no, col, match["code"], match["msg"]))
        elif parsed.findings and line.startswith("  ") and line.strip() and len(detail) < MAX_DETAIL:
            # --pretty adds a source excerpt (line numbers and ~~~ markers); the plain form only message chains
            if not re.match(r"^\s*(?:\d+\s|~+\s*$)", line):
                detail.append(line.strip())
                parsed.findings[-1].detail = "\n".join(detail)
    if not summary and parsed.findings:
        errors = sum(1 for f in parsed.findings if f.code.startswith("TS"))
        parsed.counts = {"errors": errors}
    return parsed
