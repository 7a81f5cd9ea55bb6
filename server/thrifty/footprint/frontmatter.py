"""The YAML frontmatter of skill, agent and command files, in the plain subset this plugin writes (`key: value`,
quoted scalars, `[a, b]` lists); anything else is refused with its line number, so this reader and Claude Code
always agree. `claude plugin validate` checks the files against real YAML."""

from __future__ import annotations

import re

from thrifty.errors import ToolError

DELIMITER = "---"
_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(?:\s+(.*))?$")


class FrontmatterError(ToolError):
    """A file's frontmatter is missing or outside the supported subset."""


def split(text: str, source: str = "file") -> tuple[dict[str, str | list[str]], str]:
    """Return the frontmatter fields and the body that follows them."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != DELIMITER:
        raise FrontmatterError(f"{source}: no frontmatter (the first line must be '---')")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == DELIMITER)
    except StopIteration:
        raise FrontmatterError(f"{source}: frontmatter is not closed by a '---' line") from None
    fields: dict[str, str | list[str]] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY.match(line)
        if match is None:
            raise FrontmatterError(f"{source}:{number}: expected 'key: value', got {line.strip()!r}")
        key, raw = match.group(1), (match.group(2) or "").strip()
        if key in fields:
            raise FrontmatterError(f"{source}:{number}: {key!r} appears twice")
        fields[key] = _value(raw, f"{source}:{number}")
    return fields, "\n".join(lines[end + 1 :]).lstrip("\n")


def _value(raw: str, where: str) -> str | list[str]:
    if raw in ("", "|", ">", "|-", ">-"):
        raise FrontmatterError(f"{where}: empty or multi-line values are not supported; put the value on one line")
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise FrontmatterError(f"{where}: a list must open and close on the same line")
        return [_scalar(item.strip(), where) for item in raw[1:-1].split(",") if item.strip()]
    return _scalar(raw, where)


def _scalar(raw: str, where: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return inner.replace("''", "'") if raw[0] == "'" else inner.replace('\\"', '"')
    if raw[0] in "\"'{&*!%@`" or ": " in raw or " #" in raw:
        # YAML would read these differently from the plain text they look like: quote the value.
        raise FrontmatterError(f"{where}: quote this value, YAML would not read it as plain text: {raw!r}")
    return raw
