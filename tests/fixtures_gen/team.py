"""Team-view fixtures shared by tests/team and tests/e2e: a real PostgreSQL per test session (`pgserver`), a fresh
database per test, and the wait for the background job a Stop hook starts. Conftests import the fixtures."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures_gen.pgserver import PostgresUnavailable, TempPostgres, create_database, temp_postgres

PASSWORD = "s3cr3t-Pa55word"  # the test server's, so tests can look for it in every output
JOB_TIMEOUT_S = 180
_DB_NAMES = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TempPostgres]:
    try:
        with temp_postgres(PASSWORD) as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def team_url(pg_server: TempPostgres) -> str:
    """A fresh, empty database on the test server; its URL carries the password."""
    pytest.importorskip("psycopg")
    return create_database(pg_server, f"team_{os.getpid()}_{next(_DB_NAMES)}")


def wait_for_background_job(data: Path, timeout_s: int = JOB_TIMEOUT_S) -> dict[str, Any]:
    """Wait until the background job a Stop hook started has finished (it holds `team.lock` from the hook's spawn to
    its end), then return its status file. The wait is bounded by an alarm."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"the background team job did not finish within {timeout_s} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(timeout_s)
    try:
        with open(data / "team.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return json.loads((data / "team-status.json").read_text())
