"""A real PostgreSQL for the team tests: one server per test session in a temporary directory, on a loopback port
with password authentication, and a fresh database per test. Skips cleanly when PostgreSQL is not installed, or
when running as root with no unprivileged `postgres` user to run it as (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from team_helpers import PASSWORD, PgServer

_DB_NAMES = itertools.count(1)


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser to start PostgreSQL as `postgres`")
        run_as = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="thrifty-pg-"))
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, pwfile, log = base / "data", base / "pwfile", base / "server.log"
    pwfile.write_text(PASSWORD + "\n")
    if owner is not None:
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)

    def run(*args: str) -> None:
        result = subprocess.run([*run_as, *args], capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            pytest.fail(f"{args[0]} failed: {result.stdout}{result.stderr}")

    port = _free_port()
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "thrifty", "--pwfile", str(pwfile), "--auth=scram-sha-256",
        "--no-sync", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120", "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40", "start")
    try:
        yield PgServer(host="127.0.0.1", port=port, user="thrifty", password=PASSWORD)
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=120, check=False)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def team_url(pg_server: PgServer) -> str:
    """A fresh, empty database on the test server; its URL carries the password."""
    psycopg = pytest.importorskip("psycopg")
    name = f"team_{os.getpid()}_{next(_DB_NAMES)}"
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg_server.url(name)
