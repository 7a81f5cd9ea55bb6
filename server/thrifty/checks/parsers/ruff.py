"""ruff check: the concise `path:line:col: CODE message` lines and the full format (`CODE message` then
` --> path:line:col` with a source snippet, which is dropped), plus "Found N errors." / "All checks passed!"."""

from __future__ import annotations

import re

from thrifty.checks.parsers.base import ParseContext, Parsed, last_match, located, take_summary

RULE_CODE = r"[A-Z]+[0-9]+|SyntaxError|invalid-syntax|[a-z]+(?:-[a-z]+)+"
KEEP = rf"\S+:\d+:\d+: (?:{RULE_CODE}) |[ \t]*--> \S+:\d+:\d+|(?:{RULE_CODE})(?: \[\*\])?:? |Found \d+ errors?"
CONCISE = re.compile(
    rf"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>{RULE_CODE})(?: \[\*\])?:? (?P<msg>.*)$"
)
FULL_HEAD = re.compile(rf"^(?P<code>{RULE_CODE})(?: \[\*\])?:? (?P<msg>.+)$")
ARROW = re.compile(r"^\s*--> (?P<path>.+?):(?P<line>\d+):(?P<col>\d+)\s*$")
SUMMARY = re.compile(r"^(?:Found (?P<n>\d+) errors?\..*|All checks passed!|No errors found\.?)$")
FIXABLE = re.compile(r"^\[\*\] (?P<n>\d+) fixable")


def sniff(text: str) -> bool:
    return bool(re.search(r"^(?:Found \d+ errors?\.|All checks passed!)$", text, re.M)) and bool(
        re.search(r"^[ \t]*--> |^\S+:\d+:\d+: [A-Z]+\d+ ", text, re.M) or "All checks passed!" in text)


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    summary = take_summary(parsed, SUMMARY, lines)
    if summary:
        parsed.total = int(summary["n"]) if summary["n"] else 0
        parsed.counts["errors"] = parsed.total
        fixable = last_match(FIXABLE, lines)
        if fixable:
            parsed.counts["fixable"] = int(fixable["n"])
    for i, line in enumerate(lines):
        concise = CONCISE.match(line)
        if concise:
            parsed.findings.append(located(concise["path"], concise["line"], concise["col"], concise["code"],
                                           concise["msg"]))
            continue
        head = FULL_HEAD.match(line)
        arrow = ARROW.match(lines[i + 1]) if head and i + 1 < len(lines) else None
        if head and arrow:
            parsed.findings.append(located(arrow["path"], arrow["line"], arrow["col"], head["code"], head["msg"]))
    return parsed

