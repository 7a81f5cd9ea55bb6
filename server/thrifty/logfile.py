"""thrifty's one log file, `hooks.log` in the data directory: errors of fail-open hooks and warnings about input that
was refused (it is never printed into a session). Standard library only; it rotates once past LOG_LIMIT_BYTES."""

from __future__ import annotations

import os
import time

from thrifty.paths import data_dir

LOG_LIMIT_BYTES = 1 << 20


def append(source: str, text: str) -> None:
    """Append `source: text` with a time stamp; silent when there is nowhere to write (logging must never fail)."""
    try:
        directory = data_dir()
        directory.mkdir(parents=True, exist_ok=True)
        log = directory / "hooks.log"
        if log.exists() and log.stat().st_size > LOG_LIMIT_BYTES:
            os.replace(log, log.with_suffix(".log.1"))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {source}: {text}\n")
    except OSError:
        pass
