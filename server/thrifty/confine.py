"""Keep every path inside the project root: `..`, absolute paths elsewhere and symlinks that lead out are refused,
both when a name is resolved and, for every read, on the descriptor actually opened (`open_beneath`)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

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
    try:
        candidate = Path(user_path).expanduser()  # `~nosuchuser/x`: RuntimeError, an error for this path only
        if not candidate.is_absolute():
            candidate = root / candidate
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


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def open_beneath(root: Path, path: Path, shown: str, *, directory: bool = False) -> int:
    """A descriptor for `path`, refused unless the object actually opened lies inside `root`.

    The check is made on the open descriptor, not on the name: whatever a concurrent process does to the path
    (swap a symlink in, rename a directory out), what is read is what was verified, so there is no window between
    the check and the read. O_NONBLOCK keeps a FIFO from blocking the open; only a regular file (or, with
    `directory`, a directory) is accepted. The caller owns the descriptor.

    Raises:
        OutsideRoot: the opened object is not inside `root`.
        ToolError: it cannot be opened, or it is not a regular file (a directory with `directory`).
    """
    try:
        fd = os.open(path, _READ_FLAGS | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    except OSError as exc:
        raise ToolError(f"{shown}: cannot read it ({exc.strerror or exc})") from exc
    try:
        info = os.fstat(fd)
        if directory and not stat.S_ISDIR(info.st_mode):
            raise ToolError(f"{shown}: not a directory")
        if not directory and not stat.S_ISREG(info.st_mode):
            raise ToolError(f"{shown}: not a regular file (device, socket or pipe); only files can be read")
        real = descriptor_path(fd, path)
        if not Path(real).is_relative_to(root):
            raise OutsideRoot(f"{shown}: outside the project root ({root}); only paths inside it can be read")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_file(root: Path, path: Path, shown: str) -> BinaryIO:
    """`open_beneath` as a binary file object (closes the descriptor with it)."""
    return os.fdopen(open_beneath(root, path, shown), "rb")


def descriptor_path(fd: int, opened_as: Path) -> str:
    """The real path of what `fd` refers to, as the kernel knows it now (not the name it was opened by)."""
    proc = f"/proc/self/fd/{fd}"
    if _HAS_PROC:
        return os.readlink(proc)
    import fcntl  # POSIX only; reached only where there is no /proc

    if hasattr(fcntl, "F_GETPATH"):  # macOS
        raw = fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024))
        return os.fsdecode(raw.split(b"\0", 1)[0])
    # No way to ask the kernel: compare the descriptor with what the name resolves to now (narrow race remains).
    real = os.path.realpath(opened_as)
    opened, named = os.fstat(fd), os.stat(real)
    if (opened.st_dev, opened.st_ino) != (named.st_dev, named.st_ino):
        raise ToolError(f"{opened_as}: changed while it was being opened; try again")
    return real


_HAS_PROC = os.path.isdir("/proc/self/fd")
