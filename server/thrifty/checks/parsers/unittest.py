"""unittest (and runners printing its format, e.g. Django's): FAIL/ERROR blocks, "Ran N tests", "FAILED (...)"."""

from __future__ import annotations

import re

from thrifty.checks.model import Finding
from thrifty.checks.parsers.base import ParseContext, Parsed, one_line
from thrifty.checks.parsers.frames import trim_python_traceback

KEEP = r"(?:FAIL|ERROR|UNEXPECTED SUCCESS): |Ran \d+ tests? in |FAILED \(|OK\b|\S+ \(\S+\)[ \t]*\.\.\. (?:FAIL|ERROR)"
HEADER = re.compile(r"^(?P<kind>FAIL|ERROR|UNEXPECTED SUCCESS): (?P<test>\S+) \((?P<where>[^)]*)\)(?P<extra>.*)$")
RAN = re.compile(r"^Ran (?P<n>\d+) tests? in [\d.]+s")
RESULT = re.compile(r"^(?P<verdict>FAILED|OK)(?: \((?P<counts>[^)]*)\))?\s*$")
RULE = re.compile(r"^(?:=|-){40,}$")


def sniff(text: str) -> bool:
    return bool(re.search(r"^Ran \d+ tests? in [\d.]+s", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    parsed = Parsed()
    ran = next((m for m in map(RAN.match, reversed(lines)) if m), None)
    result = next((m for m in map(RESULT.match, reversed(lines)) if m), None)
    if ran:
        parsed.summary = ran.group(0) + (f"; {result.group(0).strip()}" if result else "")
        parsed.counts["tests"] = int(ran["n"])
    if result and result["counts"]:
        parsed.counts.update({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", result["counts"])})
    if ran:
        failed = sum(parsed.counts.get(k, 0) for k in ("failures", "errors", "unexpected_successes"))
        parsed.counts["passed"] = max(int(ran["n"]) - failed - parsed.counts.get("skipped", 0)
                                      - parsed.counts.get("expected_failures", 0), 0)
        parsed.total = failed
    i = 0
    while i < len(lines):
        header = HEADER.match(lines[i])
        if not header or i == 0 or not RULE.match(lines[i - 1]):
            i += 1
            continue
        body: list[str] = []
        i += 1
        if i < len(lines) and RULE.match(lines[i]):
            i += 1
        while i < len(lines) and not RULE.match(lines[i]) and not RAN.match(lines[i]):
            body.append(lines[i])
            i += 1
        parsed.findings.append(_finding(header, body, ctx))
    return parsed


def _finding(header: re.Match[str], body: list[str], ctx: ParseContext) -> Finding:
    where, test = header["where"], header["test"]
    # Python 3.11+ prints `test_x (module.Class.test_x)`; older ones `test_x (module.Class)`.
    test_id = where if where.endswith("." + test) else f"{where}.{test}"
    test_id += header["extra"].rstrip()
    detail = trim_python_traceback(body, ctx.root)
    message = next((ln for ln in reversed(detail) if ln.strip() and not ln.startswith(" ")), "")
    return Finding(name=test_id, code=header["kind"], message=one_line(message), detail="\n".join(detail))


