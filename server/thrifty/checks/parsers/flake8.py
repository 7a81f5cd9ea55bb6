"""flake8 (and pycodestyle/pylint-parseable): `path:line:col: CODE message`; `--count` adds a bare number."""

from __future__ import annotations

import re

from thrifty.checks.parsers.base import ParseContext, Parsed, located

KEEP = r"\S+:\d+:(?:\d+:)? ?[A-Z]+\d+ "
LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)? ?(?P<code>[A-Z]+\d+) (?P<msg>.*)$")


def sniff(text: str) -> bool:
    return bool(re.search(r"^[^ \t:][^:\n]*\.py:\d+:\d+: [A-Z]+\d+ ", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    parsed = Parsed()
    for line in text.splitlines():
        match = LINE.match(line)
        if match:
            parsed.findings.append(located(match["path"], match["line"], match["col"], match["code"], match["msg"]))
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if lines and lines[-1].strip().isdigit():  # --count
        parsed.total = int(lines[-1].strip())
    n = parsed.total if parsed.total is not None else len(parsed.findings)
    parsed.summary = f"{n} finding{'s' if n != 1 else ''}" if parsed.findings or parsed.total else ""
    parsed.counts = {"findings": n} if parsed.summary else {}
    return parsed
