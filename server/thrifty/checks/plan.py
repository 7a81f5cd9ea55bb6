"""Choose which checks run and with which file arguments. Tool arguments only ever pick checks and add paths.

Security: names must be configured or detected checks, all validated before anything starts; paths are confined
to the project root and appended as separate argv elements (no shell ever sees them).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from thrifty.checks.model import CheckSpec
from thrifty.confine import resolve_in_root
from thrifty.errors import ToolError

# Options whose next argument is a value even when it names a path (`--cov src`), so it is not the check's scope.
VALUE_OPTIONS = {
    "--cov", "--config", "--config-file", "-c", "--rootdir", "--confcutdir", "--basetemp", "-p", "--project",
    "--ignore", "--ignore-glob", "--deselect", "--exclude", "--extend-exclude", "--settings", "--junitxml",
    "--junit-xml", "--cache-dir", "--output-file", "-o", "--override-ini", "-m", "-k",
}


MAX_NAMES_SHOWN = 10  # of the unknown names a refusal quotes back


class UnknownCheck(ToolError):
    """A requested name is not a configured or detected check."""


@dataclass(frozen=True)
class Target:
    """A path the caller asked to narrow to: the resolved file or directory, plus a pytest node suffix (`::test`)."""

    path: Path
    node: str = ""


@dataclass(frozen=True)
class PlannedCheck:
    spec: CheckSpec
    argv: tuple[str, ...]
    narrowed_to: tuple[str, ...] | None = None  # None: runs whole
    skip_reason: str = ""


def select_checks(available: dict[str, CheckSpec], names: list[str]) -> list[CheckSpec]:
    """The checks named (all when `names` is empty), in configuration order. Refuses unknown names, naming them."""
    if not available:
        raise ToolError(
            "no checks configured or detected; add [tool.thrifty.checks] to pyproject.toml, "
            'e.g. tests = "python -m pytest -q"'
        )
    unknown = [n for n in dict.fromkeys(names) if n not in available]
    if unknown:
        shown = ", ".join(repr(n[:80]) for n in unknown[:MAX_NAMES_SHOWN])
        if len(unknown) > MAX_NAMES_SHOWN:
            shown += f" and {len(unknown) - MAX_NAMES_SHOWN} more"
        raise UnknownCheck(
            f"unknown check name(s) {shown}; nothing was run. Valid names: {', '.join(available)}. "
            "Checks are commands from [tool.thrifty.checks]; a name cannot be a command."
        )
    wanted = set(names)
    return [spec for name, spec in available.items() if not names or name in wanted]


def resolve_targets(root: Path, paths: list[str]) -> list[Target]:
    """Confine each item (`path` or `path::node`) to the root and require it to exist."""
    targets: list[Target] = []
    for item in paths:
        path_part, sep, node = item.partition("::")
        resolved = resolve_in_root(root, path_part)
        try:
            exists = resolved.exists()
        except OSError as exc:  # e.g. a name too long for the file system
            raise ToolError(f"{item[:200]}: cannot be used as a path ({exc.strerror})") from exc
        if not exists:
            raise ToolError(f"{item}: no such file or directory in the project")
        targets.append(Target(resolved, sep + node if sep else ""))
    return targets


def plan_check(spec: CheckSpec, root: Path, targets: list[Target] | None, what: str) -> PlannedCheck:
    """The argv for one check: whole when `targets` is None or the check takes no files, else narrowed."""
    if targets is None or not spec.files:
        return PlannedCheck(spec, spec.argv)
    cwd = (root / spec.cwd).resolve()
    base, scope = split_scope(spec.argv, cwd)
    chosen = [t for t in targets if _applies(spec, t, scope)]
    if not chosen:
        where = f" under its scope {' '.join(os.path.relpath(s, cwd) for s in scope)}" if scope else ""
        return PlannedCheck(spec, spec.argv, (), f"none of the {what} apply to it{where}")
    args = list(dict.fromkeys(_as_argument(t, cwd, keep_node=spec.format == "pytest") for t in chosen))
    return PlannedCheck(spec, (*base, *args), tuple(args))


def split_scope(argv: tuple[str, ...], cwd: Path) -> tuple[tuple[str, ...], list[Path]]:
    """Split off the trailing path arguments (`ruff check .` -> `.`): narrowing replaces them with the files given."""
    end = len(argv)
    while end > 1:
        arg, before = argv[end - 1], argv[end - 2]
        if arg.startswith("-") or before in VALUE_OPTIONS or not (cwd / arg).exists():
            break
        end -= 1
    return argv[:end], [(cwd / a).resolve() for a in argv[end:]]


def _applies(spec: CheckSpec, target: Target, scope: list[Path]) -> bool:
    if scope and not any(target.path == s or target.path.is_relative_to(s) for s in scope):
        return False
    if target.path.is_dir() or spec.files is True:
        return True
    return any(fnmatch.fnmatch(target.path.name, glob) for glob in spec.files or ())


def _as_argument(target: Target, cwd: Path, keep_node: bool) -> str:
    rel = os.path.relpath(target.path, cwd)
    # Security: a file named like a flag (`-rf.py`) must stay a path; `./-rf.py` is the same file, read as no option.
    if rel.startswith("-"):
        rel = "./" + rel
    return rel + (target.node if keep_node else "")
