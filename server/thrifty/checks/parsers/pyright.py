"""pyright/basedpyright: `  path:line:col - error: message (rule)` under a file header, continuation lines
indented deeper, and "N errors, M warnings, K informations"."""

from __future__ import annotations

import re

from thrifty.checks.parsers.base import ParseContext, Parsed, counts_from, located, relative_to_root, take_summary

KEEP = r"[ \t]+\S.*:\d+:\d+ - (?:error|warning): |\d+ errors?, \d+ warnings?"
LINE = re.compile(
    r"^\s+(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+) - (?P<sev>error|warning|information): (?P<msg>.*?)"
    r"(?: \((?P<rule>report\w+)\))?\s*$"
)
RULE_AT_END = re.compile(r" \((?P<rule>report\w+)\)\s*$")
SUMMARY = re.compile(r"^(?P<errors>\d+) errors?, (?P<warnings>\d+) warnings?, \d+ informations?\s*$")
MAX_DETAIL = 6


def sniff(text: str) -> bool:
    return bool(re.search(r"^\d+ errors?, \d+ warnings?, \d+ informations?[ \t]*$", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    summary = take_summary(parsed, SUMMARY, lines)
    if summary:
        parsed.counts = counts_from(parsed.summary, {"errors", "warnings"})
        parsed.total = int(summary["errors"]) + int(summary["warnings"])
    detail: list[str] = []
    attach = False  # continuation lines belong to the finding right above them
    for line in lines:
        match = LINE.match(line)
        if match:
            detail = []
            attach = match["sev"] != "information"
            if attach:
                path = relative_to_root(match["path"], ctx)
                code = match["rule"] or match["sev"]
                parsed.findings.append(located(path, match["line"], match["col"], code, match["msg"]))
        elif attach and line[:4].isspace() and len(detail) < MAX_DETAIL:  # pyright indents with 2 spaces + 2 NBSP
            rule = RULE_AT_END.search(line)
            if rule and parsed.findings[-1].code in ("error", "warning"):  # a multi-line message ends with its rule
                parsed.findings[-1].code = rule["rule"]
                line = line[: rule.start()]
            detail.append(line.strip())
            parsed.findings[-1].detail = "\n".join(detail)
        else:
            attach = False
    return parsed

