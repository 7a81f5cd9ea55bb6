"""A real PostgreSQL for the team tests: one server per test session in a temporary directory, on a loopback port
with password authentication (`fixtures_gen.pgserver`), and a fresh database per test. Skips cleanly when
PostgreSQL is not installed, or when running as root with no unprivileged `postgres` user to run it as."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from team_helpers import PASSWORD

from fixtures_gen.pgserver import PostgresUnavailable, TempPostgres, create_database, temp_postgres

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
