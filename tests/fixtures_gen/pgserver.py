"""A throwaway PostgreSQL for the team tests and the team benchmark: initdb in a temporary directory, a loopback port
with password authentication, stopped and removed on exit. PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` user the Debian package creates."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 120


class PostgresUnavailable(Exception):
    """No PostgreSQL here, or no unprivileged user to run it as; the message says what to install."""


@dataclass(frozen=True)
class TempPostgres:
    host: str
    port: int
    user: str
    password: str

    def url(self, database: str, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{self.user}:{secret}@{self.host}:{self.port}/{database}"


def bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def temp_postgres(password: str) -> Iterator[TempPostgres]:
    """A running server whose superuser `thrifty` has `password`.

    Raises:
        PostgresUnavailable: PostgreSQL is not installed, or running as root without a `postgres` user and runuser.
    """
    binaries = bin_dir()
    if binaries is None:
        raise PostgresUnavailable("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no `postgres` user to run PostgreSQL as") from None
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root without runuser to start PostgreSQL as `postgres`")
        run_as = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="thrifty-pg-"))
    data, pwfile, log = base / "data", base / "pwfile", base / "server.log"
    pwfile.write_text(password + "\n")
    if owner is not None:
        for path in (base, pwfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def run(*args: str) -> None:
        result = subprocess.run([*run_as, *args], capture_output=True, text=True, timeout=START_TIMEOUT_S,
                                check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {result.stdout}{result.stderr}")

    try:
        port = _free_port()
        run(str(binaries / "initdb"), "-D", str(data), "-U", "thrifty", "--pwfile", str(pwfile),
            "--auth=scram-sha-256", "--no-sync", "-E", "UTF8")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT_S), "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40", "start")
        yield TempPostgres(host="127.0.0.1", port=port, user="thrifty", password=password)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=START_TIMEOUT_S, check=False)
        shutil.rmtree(base, ignore_errors=True)


def create_database(server: TempPostgres, name: str) -> str:
    """Create database `name` and return its URL (with the password)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.url(name)
