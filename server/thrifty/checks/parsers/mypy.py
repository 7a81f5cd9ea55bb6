"""mypy: `path:line[:col]: error: message  [code]`, notes attached to the error before them, and
"Found N errors in M files (checked K source files)" / "Success: no issues found in K source files"."""

from __future__ import annotations

import re

from thrifty.checks.parsers.base import ParseContext, Parsed, located, take_summary

KEEP = r"\S+:\d+:(?:\d+:)?(?:\d+:\d+:)? (?:error|warning): |Found \d+ errors? in |Success: "
LINE = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)?(?:\d+:\d+:)? (?P<sev>error|warning|note): "
    r"(?P<msg>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)
SUMMARY = re.compile(r"^(?:Found (?P<errors>\d+) errors? in (?P<files>\d+) files?.*|Success: no issues found.*)$")
MAX_NOTES = 6


def sniff(text: str) -> bool:
    return bool(re.search(r"^(?:Found \d+ errors? in \d+ files? \(checked|Success: no issues found in)", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    summary = take_summary(parsed, SUMMARY, lines)
    if summary:
        parsed.total = int(summary["errors"] or 0)
        parsed.counts = {"errors": parsed.total, "files": int(summary["files"] or 0)}
    notes: list[str] = []
    for line in lines:
        match = LINE.match(line)
        if not match:
            continue
        if match["sev"] == "note":
            if parsed.findings and len(notes) < MAX_NOTES:
                notes.append(f"note: {match['msg']}")
                parsed.findings[-1].detail = "\n".join(notes)
            continue
        notes = []
        code = match["code"] or match["sev"]
        parsed.findings.append(located(match["path"], match["line"], match["col"], code, match["msg"]))
    return parsed
