"""Read a regular file without ever blocking: standard library only, shared by the hooks' readers (the guard's
settings, steering hints, `thrifty.checks.commands`). A FIFO or device in a file's place raises OSError instead
of hanging the hook until its timeout (opened O_NONBLOCK, then S_ISREG on the open descriptor)."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def read_regular(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes (at most `max_bytes` when given); OSError when it is not a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read() if max_bytes is None else fh.read(max_bytes)
    finally:
        os.close(fd)
