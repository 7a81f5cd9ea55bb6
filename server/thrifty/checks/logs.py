"""Where raw logs go: `<data dir>/checks/<run id>/<check>.log`. Only the newest KEEP_RUNS runs are kept."""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import time
from pathlib import Path

from thrifty.paths import data_dir

KEEP_RUNS = 30


def new_run_dir() -> Path:
    base = data_dir() / "checks"
    base.mkdir(parents=True, exist_ok=True)
    _prune(base)
    run = base / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
    run.mkdir()
    return run


def _prune(base: Path) -> None:
    runs: list[tuple[float, Path]] = []
    for entry in base.iterdir():
        try:  # a concurrent run_checks may remove an old run between the listing and the stat
            info = entry.stat()
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(info.st_mode):
            runs.append((info.st_mtime, entry))
    runs.sort(key=lambda run: run[0], reverse=True)
    for _, old in runs[KEEP_RUNS - 1:]:
        shutil.rmtree(old, ignore_errors=True)
