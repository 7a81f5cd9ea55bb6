"""Whether another process holds a file lock, for tests of the venv build (it holds venv.lock until it stamps)."""

from __future__ import annotations

import fcntl
from pathlib import Path


def is_locked(lock: Path) -> bool:
    if not lock.exists():
        return False
    with open(lock, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False
