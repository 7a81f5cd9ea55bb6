"""pytest: the final summary line, the short test summary (FAILED/ERROR ids), -v status lines, and the FAILURES and
ERRORS sections, each test's traceback trimmed."""

from __future__ import annotations

import re

from thrifty.checks.model import Finding
from thrifty.checks.parsers.base import ParseContext, Parsed, counts_from, last_match, one_line
from thrifty.checks.parsers.frames import trim_pytest_block

KEEP = r"(?:SUB)?FAILED[ (]|ERROR |_{3,} .+ _{3,}$|=+ .+ =+$|\S+::\S+.* (?:FAILED|ERROR)\b"
COUNT_WORDS = r"(?:failed|passed|skipped|deselected|xfailed|xpassed|errors?|warnings?|rerun|subtests? \w+)"
SUMMARY = re.compile(
    rf"^=*\s*(?P<text>(?:(?:\d+ {COUNT_WORDS})(?:, )?)+(?: in [\d.]+s(?: \([^)]*\))?)?"
    rf"|no tests ran in [\d.]+s.*?)\s*=*$"
)
# pytest 9 reports each failing subtest as `SUBFAILED(i=2) tests/t.py::T::test_x - msg`
SHORT = re.compile(
    r"^(?P<kind>FAILED|ERROR|SUBFAILED)(?:\((?P<params>(?:[^()]|\([^()]*\))*)\))? (?P<id>.+?)(?: - (?P<msg>.*))?$"
)
VERBOSE = re.compile(r"^(?P<id>\S+::\S.*?) (?P<kind>FAILED|ERROR)\b")
SECTION = re.compile(r"^=+ (?P<name>.+?) =+$")
BLOCK = re.compile(r"^_{3,} (?P<title>.+?) _{3,}$")
SETUP_TITLE = re.compile(r"^ERROR (?:at (?:setup|teardown) of|collecting) ")


def sniff(text: str) -> bool:
    return bool(re.search(r"^=+ (?:FAILURES|ERRORS|short test summary info|test session starts) =+$", text, re.M)
                or re.search(rf"^(?:\d+ {COUNT_WORDS}, )*\d+ {COUNT_WORDS} in [\d.]+s[ \t]*$", text, re.M))


def parse(text: str, ctx: ParseContext) -> Parsed:
    lines = text.splitlines()
    summary = last_match(SUMMARY, lines)
    parsed = Parsed(summary=summary["text"].strip() if summary else "")
    parsed.counts = counts_from(parsed.summary)
    blocks = _blocks(lines)
    ids = _failing_ids(lines)
    if not ids:  # -rN or a cut summary: fall back to the section titles
        ids = [(title, "ERROR" if title.startswith("ERROR ") else "FAILED", "") for title in blocks]
    unused = dict(blocks)
    for test_id, kind, msg in ids:
        block = _take_block(unused, test_id, kind)
        detail = trim_pytest_block(block, ctx.root) if block else []
        error_lines = [ln[1:].strip() for ln in block if ln.startswith("E ")]
        message = one_line(error_lines[0]) if error_lines else one_line(msg or "")
        parsed.findings.append(Finding(name=test_id, code=kind, message=message, detail="\n".join(detail)))
    parsed.total = parsed.counts.get("failed", 0) + parsed.counts.get("errors", 0) if summary else None
    return parsed


def _failing_ids(lines: list[str]) -> list[tuple[str, str, str]]:
    found: dict[str, tuple[str, str, str]] = {}
    in_summary = False
    for line in lines:
        section = SECTION.match(line)
        if section:
            in_summary = section["name"] == "short test summary info"
            continue
        short = SHORT.match(line) if in_summary else None
        if short:
            test_id = f"{short['id']} ({short['params']})" if short["params"] else short["id"]
            found[test_id] = (test_id, "ERROR" if short["kind"] == "ERROR" else "FAILED", short["msg"] or "")
            continue
        verbose = VERBOSE.match(line)
        if verbose and verbose["id"] not in found:
            found[verbose["id"]] = (verbose["id"], verbose["kind"], "")
    return list(found.values())


def _blocks(lines: list[str]) -> dict[str, list[str]]:
    """Title -> lines of each test's section under FAILURES or ERRORS (repeated titles get a numeric suffix)."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_failures = False
    for line in lines:
        section = SECTION.match(line)
        if section and not BLOCK.match(line):
            in_failures = section["name"] in ("FAILURES", "ERRORS")
            current = None
            continue
        block = BLOCK.match(line) if in_failures else None
        if block:
            title = block["title"]
            while title in blocks:
                title += " "
            current = blocks[title] = []
        elif current is not None:
            current.append(line)
    return blocks


def _take_block(blocks: dict[str, list[str]], test_id: str, kind: str) -> list[str]:
    """The section for this id: pytest titles a test `Class.test_name[param]`, an error `ERROR at setup of ...`."""
    path, _, rest = test_id.partition("::")
    wanted = {rest.replace("::", "."), rest.split("::")[-1], test_id}
    if kind == "ERROR":
        wanted |= {f"ERROR collecting {path}", f"ERROR collecting {test_id}"}
    for title in list(blocks):
        plain = SETUP_TITLE.sub("", title.strip()) if not title.startswith("ERROR collecting") else title.strip()
        if plain in wanted or title.strip() in wanted:
            return blocks.pop(title)
    return []
