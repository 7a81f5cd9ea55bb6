"""Turn the caller's paths into rg targets inside the project root; each refused or missing path becomes a note."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from thrifty.confine import display_path, resolve_in_root
from thrifty.errors import ToolError
from thrifty.read.nearby import near_names


@dataclass(frozen=True)
class Targets:
    paths: list[str]  # relative to the root ("." for the root itself), symlinks resolved
    problems: list[str]  # one message per refused or missing path, naming it


def resolve_targets(root: Path, paths: list[str]) -> Targets:
    resolved: list[str] = []
    problems: list[str] = []
    for user_path in dict.fromkeys(paths):
        try:
            path = resolve_in_root(root, user_path)
        except ToolError as exc:  # outside the root, or a NUL byte: refuse this one, keep the others
            problems.append(str(exc))
            continue
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            problems.append(f"{user_path}: not found{_suggestion(root, path)}")
            continue
        except OSError as exc:  # a name too long, a link loop, a part that is a file: this path only
            problems.append(f"{user_path}: cannot be searched ({exc.strerror or exc})")
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # rg would block on a FIFO until its timeout
            problems.append(f"{user_path}: not a regular file or directory (device, socket or pipe); not searched")
            continue
        resolved.append(display_path(root, path))
    return Targets(list(dict.fromkeys(resolved)), problems)


def _suggestion(root: Path, missing: Path) -> str:
    parent = missing.parent
    while not parent.is_dir() and parent != root:
        parent = parent.parent
    close = near_names(root, parent, missing.name)
    if not close:
        return ""
    shown = ", ".join(display_path(root, parent / name) for name in close)
    return f" (did you mean {shown}?)"
