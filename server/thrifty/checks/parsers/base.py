"""What every parser returns, and small helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from thrifty.checks.model import Finding

MESSAGE_CHARS = 300
COUNT = re.compile(r"(\d+) ([a-z]+(?: [a-z]+)?)")
PLURALS = {"error": "errors", "warning": "warnings", "failure": "failures", "test": "tests", "file": "files"}


@dataclass
class Parsed:
    summary: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    total: int | None = None  # the tool's own number of failures/findings, when it states one
    format: str = ""  # set by the registry: which parser read it


@dataclass(frozen=True)
class ParseContext:
    root: Path  # the project root, to tell project frames from library frames
    cwd: Path  # where the check ran; tools print paths relative to it


def one_line(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def counts_from(text: str, words: set[str] | None = None) -> dict[str, int]:
    """`3 failed, 1 error` -> {"failed": 3, "errors": 1}; plurals normalised, unknown words skipped if `words`."""
    counts: dict[str, int] = {}
    for number, phrase in COUNT.findall(text):
        first: str = phrase.split()[0]
        # "2326 subtests passed" is its own count; "2 errors in 0.1s" is just errors
        word = phrase if first in ("subtest", "subtests") else PLURALS.get(first, first)
        if words is None or word in words:
            counts[word] = counts.get(word, 0) + int(number)
    return counts


def last_match(pattern: re.Pattern[str], lines: list[str]) -> re.Match[str] | None:
    for line in reversed(lines):
        match = pattern.match(line)
        if match:
            return match
    return None


def take_summary(parsed: Parsed, pattern: re.Pattern[str], lines: list[str]) -> re.Match[str] | None:
    """The tool's last summary line, kept as `parsed.summary`; the match, for the counts in it."""
    match = last_match(pattern, lines)
    if match:
        parsed.summary = match.group(0).strip()
    return match


def located(path: str, line: str, col: str | None, code: str, message: str) -> Finding:
    """A linter or type-checker finding, named `path:line[:col]`."""
    where = f"{path}:{line}" + (f":{col}" if col else "")
    return Finding(name=where, code=code, message=one_line(message))


def relative_to_root(path: str, ctx: ParseContext) -> str:
    """Paths the tool printed absolute, made relative to the project root like every other finding's."""
    return path.removeprefix(str(ctx.root) + "/")


def squeeze_blank(lines: list[str]) -> list[str]:
    """No leading/trailing blank lines, no runs of blank lines."""
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line.rstrip())
    while out and not out[-1].strip():
        out.pop()
    return out
