"""Where raw logs go: `<data dir>/checks/<run id>/<check>.log`. Only the newest KEEP_RUNS runs are kept."""

from __future__ import annotations

import os
import secrets
import shutil
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
    runs = sorted((p for p in base.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in runs[KEEP_RUNS - 1:]:
        shutil.rmtree(old, ignore_errors=True)
