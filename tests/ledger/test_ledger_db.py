"""The ledger database: WAL, named migrations applied once, atomically, even when several processes race."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from ledger_helpers import SERVER_DIR, base_python

from thrifty.ledger import migrations
from thrifty.ledger.db import LedgerError, connect, transaction


def test_a_new_ledger_is_wal_with_every_migration_recorded(tmp_path: Path) -> None:
    conn = connect(tmp_path / "ledger.db")
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    names = [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [fn.__name__ for fn in migrations.MIGRATIONS]
    assert conn.execute("PRAGMA user_version").fetchone() == (len(migrations.MIGRATIONS),)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"files", "turns", "tool_calls", "agents"} <= tables


def test_a_failing_migration_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ledger.db"
    connect(path).close()

    def m999_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m999_broken])
    with pytest.raises(RuntimeError, match="boom"):
        connect(path)
    check = sqlite3.connect(path)
    assert check.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
    assert check.execute("SELECT COUNT(*) FROM _migrations WHERE name = 'm999_broken'").fetchone() == (0,)


def test_processes_racing_to_create_the_ledger_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "race" / "ledger.db"
    code = f"import sys; sys.path.insert(0, {str(SERVER_DIR)!r}); from pathlib import Path; " \
           f"from thrifty.ledger.db import connect; connect(Path({str(path)!r})).close()"
    procs = [subprocess.Popen([base_python(), "-c", code], stderr=subprocess.PIPE) for _ in range(8)]
    errors = [proc.communicate(timeout=60)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 8, errors
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM _migrations").fetchone() == (len(migrations.MIGRATIONS),)


def test_a_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    conn = connect(tmp_path / "ledger.db")
    with pytest.raises(ValueError), transaction(conn):
        conn.execute("INSERT INTO agents (session_id, agent_id) VALUES ('s', 'a')")
        raise ValueError
    assert conn.execute("SELECT COUNT(*) FROM agents").fetchone() == (0,)


def test_a_file_that_is_not_a_database_is_a_ledger_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(LedgerError, match="cannot use the ledger"):
        connect(path)


def test_the_hook_path_imports_only_the_standard_library() -> None:
    code = ("import sys; import thrifty.hooks.__main__, thrifty.hooks.stop, thrifty.ledger.ingest, "
            "thrifty.ledger.queries, thrifty.ledger.pricing; "
            "heavy = {'pydantic', 'mcp', 'click', 'rich', 'anyio', 'orjson'} & set(sys.modules); print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(SERVER_DIR)})
    assert result.stdout.strip() == "[]"
