"""Which check, if any, a Bash command runs: the hooks' way to spot test and lint runs that run_checks would do.

Standard library only (the hooks import it). A command matches a configured check (`[checks]` in .thrifty.toml,
`[tool.thrifty.checks]` in pyproject.toml) when the check's words, options left out, start one of the command's
simple commands (split on `&&`, `||`, `;` and `|`). With no configured checks, a command whose program run_checks
knows how to parse (pytest, ruff, mypy, tsc, eslint, cargo test, go test...) or `npm test` matches the check
run_checks would detect under that name.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from thrifty.checks.formats import guess_format
from thrifty.regular_file import read_regular

_SEPARATORS = {"&&", "||", ";", "|", "&"}
_DETECTED_NAMES = {"cargo": "cargo-test", "gotest": "go-test"}  # detect.py's names where they differ from formats


def simple_commands(command: str) -> list[list[str]]:
    """`cd x && pytest -q | tail` -> [["cd", "x"], ["pytest", "-q"], ["tail"]]; [] when it cannot be split."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        return []
    out: list[list[str]] = [[]]
    for word in words:
        if word in _SEPARATORS or set(word) <= set("&|;<>()"):
            out.append([])
        else:
            out[-1].append(word)
    return [_without_env(argv) for argv in out if argv]


def _without_env(argv: list[str]) -> list[str]:
    """Drop leading `NAME=value` assignments."""
    i = 0
    while i < len(argv) and "=" in argv[i] and not argv[i].startswith("-") and argv[i].split("=")[0].isidentifier():
        i += 1
    return argv[i:]


def _words(argv: list[str] | tuple[str, ...]) -> list[str]:
    return [word for word in argv if not word.startswith("-")]


def configured_checks(project_dir: str) -> dict[str, list[str]] | None:
    """Check name -> its command's words, from the project's files; None when none are configured."""
    if not project_dir:
        return None
    root = Path(project_dir)
    for filename, keys in ((".thrifty.toml", ("checks",)), (".thrifty.toml", ("tool", "thrifty", "checks")),
                           ("pyproject.toml", ("tool", "thrifty", "checks"))):
        table = _table(root / filename, keys)
        if table:
            found: dict[str, list[str]] = {}
            for name, value in table.items():
                command = value.get("command") if isinstance(value, dict) else value
                if isinstance(command, str):
                    found[name] = _words(shlex.split(command)) if _splits(command) else []
                elif isinstance(command, list):
                    found[name] = _words([str(word) for word in command])
            return found
    return None


def _splits(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def _table(path: Path, keys: tuple[str, ...]) -> dict[str, Any] | None:
    try:
        data = read_regular(path)  # a FIFO in its place raises rather than blocking every Bash call's hook
    except OSError:
        return None
    if b"checks" not in data:
        return None
    import tomllib

    try:
        table: Any = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table if isinstance(table, dict) else None


def check_for_command(command: str, project_dir: str) -> str | None:
    """The name of the check this Bash command runs (as run_checks knows it), or None."""
    commands = simple_commands(command)
    if not commands:
        return None
    configured = configured_checks(project_dir)
    for argv in commands:
        if configured is not None:
            words = _words(argv)
            for name, check_words in configured.items():
                if check_words and words[:len(check_words)] == check_words:
                    return name
            continue
        if argv[:2] == ["npm", "test"]:
            return "npm-test"
        fmt = guess_format(argv)
        if fmt != "generic":
            return _DETECTED_NAMES.get(fmt, fmt)
    return None
