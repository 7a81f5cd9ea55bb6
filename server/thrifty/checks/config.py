"""Read `[tool.thrifty.checks]` from pyproject.toml, or `[checks]` from a `.thrifty.toml` beside it (which wins).

```toml
[tool.thrifty.checks]
tests = "python -m pytest -q"      # short form: the command
[tool.thrifty.checks.types]        # long form
command = "mypy src"               # a string (split like a shell would, but never run by one) or a list
timeout = 300                      # seconds; DEFAULT_TIMEOUT_S when absent
files = true                       # takes file arguments (paths / changed=true); a list of globs limits them
cwd = "backend"                    # inside the project root
format = "mypy"                    # which parser reads the output; guessed from the command when absent
```
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thrifty.checks.formats import FORMATS, default_files, guess_format
from thrifty.checks.model import CheckSpec
from thrifty.confine import open_file, resolve_in_root
from thrifty.errors import ToolError

DEFAULT_TIMEOUT_S = 300.0
MAX_TIMEOUT_S = 24 * 3600.0
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
KEYS = ("command", "timeout", "files", "cwd", "format")
# Tokens that only mean something to a shell. Commands run without one, so these would reach the tool as arguments.
SHELL_TOKENS = {"&&", "||", "|", ";", ">", ">>", "<", "&", "2>&1"}


class ConfigError(ToolError):
    """The project's check configuration is invalid; the message names the file, the check and the fix."""


@dataclass(frozen=True)
class ChecksConfig:
    checks: dict[str, CheckSpec]
    source: str  # the file they came from, relative to the root


def load_config(root: Path) -> ChecksConfig | None:
    """The configured checks, or None when neither file configures any (detection applies then)."""
    for filename, keys in ((".thrifty.toml", ("checks",)), ("pyproject.toml", ("tool", "thrifty", "checks"))):
        table = _table(root, root / filename, keys)
        if table is None and filename == ".thrifty.toml":
            table = _table(root, root / filename, ("tool", "thrifty", "checks"))
        if table:
            label = f"{filename} [{'.'.join(keys)}]"
            checks = {name: parse_check(root, name, value, label) for name, value in table.items()}
            return ChecksConfig(checks, filename)
    return None


def _table(root: Path, path: Path, keys: tuple[str, ...]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        with open_file(root, path, path.name) as handle:  # a config linked out of the project is not read
            raw = handle.read()
        data: Any = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML ({exc}); fix the file so checks can be read") from exc
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path.name}: invalid TOML (not UTF-8 at line {line}); save the file as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    except ToolError as exc:  # outside the root when opened, or not a regular file
        raise ConfigError(str(exc)) from exc
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: [{'.'.join(keys)}] must be a table of name = command entries")
    return data


def parse_check(root: Path, name: str, value: object, label: str) -> CheckSpec:
    """One entry: `name = "command"` or a `[...name]` table with KEYS. Raises ConfigError naming the entry."""
    where = f"{label[:-1]}.{name}]"
    if not NAME.fullmatch(name):
        raise ConfigError(f"{where}: check names use letters, digits, '_', '-' and '.' (at most 64), e.g. 'tests'")
    table = value if isinstance(value, dict) else {"command": value}
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(KEYS)}")
    argv = _argv(table.get("command"), where)
    fmt = table.get("format", guess_format(argv))
    if fmt not in FORMATS:
        raise ConfigError(f"{where}: format {fmt!r} is not one of {', '.join(FORMATS)}")
    return CheckSpec(
        name=name, argv=argv, timeout=_timeout(table.get("timeout", DEFAULT_TIMEOUT_S), where),
        cwd=_cwd(root, table.get("cwd", "."), where), files=_files(table.get("files"), fmt, where), format=fmt,
        source="configured", origin=where,
    )


def _argv(command: object, where: str) -> tuple[str, ...]:
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise ConfigError(f"{where}: command {command!r} cannot be split into arguments ({exc})") from exc
    elif isinstance(command, list) and all(isinstance(a, str) for a in command):
        argv = list(command)
    else:
        raise ConfigError(f'{where}: needs a command, a string like "python -m pytest -q" or a list of arguments')
    if not argv:
        raise ConfigError(f"{where}: the command is empty")
    if any("\x00" in a for a in argv):
        raise ConfigError(f"{where}: the command contains a NUL character, which no program can receive")
    operators = [a for a in argv if a in SHELL_TOKENS]
    if operators:
        raise ConfigError(
            f"{where}: {' '.join(operators)} only works in a shell and checks run without one; make each command "
            "its own check, or write the shell explicitly: sh -c '...'"
        )
    return tuple(argv)


def _timeout(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_TIMEOUT_S:
        raise ConfigError(f"{where}: timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}")
    return float(value)


def _cwd(root: Path, value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: cwd must be a path string inside the project")
    try:
        path = resolve_in_root(root, value)
    except ToolError as exc:
        raise ConfigError(f"{where}: cwd {exc}") from exc
    if not path.is_dir():
        raise ConfigError(f"{where}: cwd {value!r} is not a directory in the project")
    return path.relative_to(root).as_posix() or "."


def _files(value: object, fmt: str, where: str) -> bool | tuple[str, ...]:
    if value is None:
        return default_files(fmt)
    if value is True:
        return default_files(fmt) or True
    if value is False:
        return False
    if isinstance(value, list) and value and all(isinstance(g, str) and g for g in value):
        return tuple(value)
    raise ConfigError(f'{where}: files must be true, false or a list of globs like ["*.py"]')
