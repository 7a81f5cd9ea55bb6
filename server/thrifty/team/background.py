"""`python -m thrifty.team.background PROJECT_DIR`: the sync and export the Stop hook starts, one at a time.

Fails open: every error goes to `team.log` in the data directory (password scrubbed, kept under 1 MB plus one older
file), and the outcome of the last run to `team-status.json` (for troubleshooting; the tests read it too).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from thrifty.guard.settings import resolve
from thrifty.paths import data_dir, ledger_path
from thrifty.team.spawn import job_lock

STATUS_FILE = "team-status.json"
PENDING_FILE = "team.pending"  # held by the one job waiting for the job lock
LOG_FILE = "team.log"
LOG_LIMIT_BYTES = 1 << 20


def run(project_dir: str, env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    from thrifty.ledger.db import connect
    from thrifty.team.deps import MissingExtra
    from thrifty.team.pg import TeamDbError

    settings = resolve(project_dir, env)
    status: dict[str, Any] = {}
    ledger = connect(ledger_path(env))
    try:
        if settings["team_db"]:
            from thrifty.dburl import scrub
            from thrifty.team.service import sync_now

            try:
                result, spend = sync_now(ledger, settings["team_db"], env)
                status["sync"] = {"ok": True, **vars(result), "team_spend_day": spend.day,
                                  "others_usd": spend.usd, "others_tokens": spend.tokens}
            except (TeamDbError, MissingExtra) as exc:
                status["sync"] = {"ok": False, "error": scrub(str(exc), settings["team_db"])}
        if settings["otlp_endpoint"]:
            from thrifty.team.otlp import ExportError, export

            try:
                status["export"] = {"ok": True, **vars(export(ledger, settings["otlp_endpoint"]))}
            except (ExportError, MissingExtra) as exc:
                status["export"] = {"ok": False, "error": str(exc)}
    finally:
        ledger.close()
    return status


def main(argv: list[str]) -> int:
    """ARGV: PROJECT_DIR [--lock-fd N] (N: the job lock, already held, handed over by the Stop hook).

    Without a handed-over lock (a job was running when the hook fired) this job queues behind it, unless another
    job already waits: that one starts after the running job and sends our rows too, so at most one job runs and
    one waits however fast turns end.
    """
    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    project_dir = argv[0] if argv else ""
    if len(argv) == 3 and argv[1] == "--lock-fd":
        with os.fdopen(int(argv[2]), "a"):
            _run_job(directory, project_dir)
        return 0
    with open(directory / PENDING_FILE, "a") as waiting:
        try:
            fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        with job_lock():
            fcntl.flock(waiting, fcntl.LOCK_UN)  # running now: the next job may wait behind this one
            _run_job(directory, project_dir)
    return 0


def _run_job(directory: Path, project_dir: str) -> None:
    try:
        status = run(project_dir)
    except Exception as exc:  # noqa: BLE001 - a background job: log, never raise into nobody's terminal
        status = {"error": f"{type(exc).__name__}: {_safe(str(exc), project_dir)}"}
    status["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    failures = [part["error"] for part in (status.get("sync"), status.get("export"))
                if isinstance(part, dict) and "error" in part]
    for failure in [*failures, *([status["error"]] if "error" in status else [])]:
        _log(directory, failure)
    _write_status(directory / STATUS_FILE, status)


def _safe(text: str, project_dir: str) -> str:
    from thrifty.dburl import scrub

    url = resolve(project_dir)["team_db"]
    return scrub(text, url) if url else text


def _log(directory: Path, line: str) -> None:
    log = directory / LOG_FILE
    if log.exists() and log.stat().st_size > LOG_LIMIT_BYTES:
        os.replace(log, log.with_suffix(".log.1"))
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")


def _write_status(path: Path, status: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
