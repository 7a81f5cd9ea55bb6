"""Keep every path inside the project root: `..`, absolute paths elsewhere and symlinks that lead out are refused."""

from __future__ import annotations

from pathlib import Path

from thrifty.errors import ToolError


class OutsideRoot(ToolError):
    """The path resolves outside the project root."""


def resolve_in_root(root: Path, user_path: str) -> Path:
    """Resolve `user_path` (relative to `root`, or absolute) and refuse it unless it stays inside `root`.

    `root` must already be resolved. Symlinks are followed before the check, so a link inside the project that
    points elsewhere is refused just like `../x`.
    """
    if "\x00" in user_path:
        raise ToolError(f"{user_path!r}: a path cannot contain a NUL byte")
    candidate = Path(user_path).expanduser()
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13, OSError after
        raise ToolError(f"{user_path}: cannot be resolved ({exc})") from exc
    if not resolved.is_relative_to(root):
        raise OutsideRoot(f"{user_path}: outside the project root ({root}); only paths inside it can be read")
    return resolved


def display_path(root: Path, path: Path) -> str:
    """The path as the model should write it back: relative to the root, with forward slashes."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
    return rel or "."
