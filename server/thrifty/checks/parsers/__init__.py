"""One parser module per output format, each with `KEEP` (regex for lines that name failures, kept from the middle
of huge outputs), `parse(text, ctx) -> Parsed` and, except generic, `sniff(text)` so generic output can be claimed."""

from __future__ import annotations

from types import ModuleType

from thrifty.checks.parsers import (
    cargo,
    eslint,
    flake8,
    generic,
    gotest,
    mypy,
    pyright,
    pytest,
    ruff,
    tsc,
    unittest,
)
from thrifty.checks.parsers.base import ParseContext, Parsed

PARSERS: dict[str, ModuleType] = {
    "pytest": pytest, "unittest": unittest, "ruff": ruff, "flake8": flake8, "mypy": mypy, "pyright": pyright,
    "eslint": eslint, "tsc": tsc, "cargo": cargo, "gotest": gotest, "generic": generic,
}
# Order matters for sniffing: the most specific signatures first.
SNIFF_ORDER = ("pytest", "unittest", "cargo", "gotest", "mypy", "pyright", "eslint", "tsc", "ruff", "flake8")


def keep_lines(fmt: str) -> str:
    """Line-start regex of the lines to keep from a huge output's middle; generic keeps every format's."""
    if fmt == "generic":
        return "|".join(f"(?:{PARSERS[name].KEEP})" for name in (*SNIFF_ORDER, "generic"))
    return PARSERS[fmt].KEEP


def parse_output(fmt: str, text: str, ctx: ParseContext) -> Parsed:
    """Parse with the check's format; generic output is first offered to every parser that recognises it."""
    if fmt == "generic":
        fmt = next((name for name in SNIFF_ORDER if PARSERS[name].sniff(text)), "generic")
    parsed: Parsed = PARSERS[fmt].parse(text, ctx)
    parsed.format = fmt
    return parsed


__all__ = ["PARSERS", "ParseContext", "Parsed", "keep_lines", "parse_output"]
