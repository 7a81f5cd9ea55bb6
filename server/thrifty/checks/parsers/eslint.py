"""ESLint: the default "stylish" format (file header, then `line:col  severity  message  rule`, then
"✖ N problems (E errors, W warnings)") and the unix format (`path:line:col: message [Error/rule]`)."""

from __future__ import annotations

import re

from thrifty.checks.parsers.base import ParseContext, Parsed, counts_from, located, relative_to_root, take_summary

KEEP = (
    r"\S.*\.(?:[cm]?[jt]sx?|vue|svelte)$|[ \t]+\d+:\d+[ \t]+(?:error|warning)[ \t]"
    r"|\S+:\d+:\d+: .*\[(?:Error|Warning)|✖ \d+ problems?"
)
FILE = re.compile(r"^(?P<path>\S.*\.(?:[cm]?[jt]sx?|vue|svelte|json|md))$")
STYLISH = re.compile(
    r"^\s+(?P<line>\d+):(?P<col>\d+)\s+(?P<sev>error|warning)\s+(?P<msg>.*?)(?:\s{2,}(?P<rule>\S+))?\s*$"
)
UNIX = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*) \[(?P<sev>Error|Warning)(?:/(?P<rule>\S+))?\]$"
)
SUMMARY = re.compile(r"^✖ (?P<n>\d+) problems? \((?P<detail>[^)]*)\)\s*$")


def sniff(text: str) -> bool:
    return bool(re.search(r"^✖ \d+ problems? \(", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    summary = take_summary(parsed, SUMMARY, lines)
    if summary:
        parsed.total = int(summary["n"])
        parsed.counts = {"problems": parsed.total, **counts_from(summary["detail"], {"errors", "warnings"})}
    current = ""
    for line in lines:
        header = FILE.match(line)
        if header:
            current = relative_to_root(header["path"], ctx)
            continue
        stylish = STYLISH.match(line) if current else None
        unix = UNIX.match(line) if not stylish else None
        match = stylish or unix
        if not match:
            continue
        path = current if stylish else relative_to_root(match["path"], ctx)
        code = match["rule"] or match["sev"].lower()
        parsed.findings.append(located(path, match["line"], match["col"], code, match["msg"]))
    return parsed
