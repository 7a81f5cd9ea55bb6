"""A database URL's password never shows (outputs, errors, logs, the ledger), and every way a URL can be wrong
gets a clear message instead of a traceback."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from team_helpers import Machine

from fixtures_gen.claude_code import make_stamped_venv
from fixtures_gen.pgserver import TempPostgres
from fixtures_gen.team import PASSWORD, wait_for_background_job

pytest.importorskip("psycopg")


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    m = Machine(tmp_path / "m", "carol", "box-c")
    m.sessions(range(51, 53), turns=4)
    return m


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nobody listens once it is closed


def _every_file_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink())


def _failed_cleanly(machine: Machine, *args: str) -> str:
    result = machine.run(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.startswith("Error:"), result.stderr
    return result.stderr


@pytest.mark.parametrize(("case", "expected"), [
    ("password", "password authentication failed"),
    ("database", "does not exist"),
    ("host", "Connection refused"),
    ("scheme", "must be a PostgreSQL URL"),
])
def test_a_bad_url_gets_a_clear_message_without_its_password(machine: Machine, pg_server: TempPostgres, team_url: str,
                                                             case: str, expected: str) -> None:
    wrong = "Wr0ng-Secret-42"
    url = {
        "password": pg_server.url(team_url.rsplit("/", 1)[1], password=wrong),
        "database": pg_server.url("no_such_team_db"),
        "host": f"postgresql://thrifty:{PASSWORD}@127.0.0.1:{_closed_port()}/team",
        "scheme": f"mysql://thrifty:{PASSWORD}@127.0.0.1/team",
    }[case]
    for args in (("sync", "--db", url), ("report", "users", "--db", url)):
        message = _failed_cleanly(machine, *args)
        assert expected in message
        assert wrong not in message and PASSWORD not in message
        assert "***" in message or case == "scheme"  # a value that is not a PostgreSQL URL is not echoed at all


def test_the_password_reaches_no_output_log_or_ledger(machine: Machine, team_url: str, pg_server: TempPostgres) -> None:
    options = {"team_db": team_url}
    sync = machine.run("sync", "--json", options=options)  # the URL from the setting, as the hooks see it
    assert sync.returncode == 0, sync.stderr
    assert json.loads(sync.stdout)["database"] == team_url.replace(PASSWORD, "***")
    for view in ("sessions", "users", "summary", "agents"):
        for extra in ((), ("--json",)):
            shown = machine.run("report", view, "--team", *extra, options=options)
            assert shown.returncode == 0, shown.stderr
            assert PASSWORD not in shown.stdout + shown.stderr
    [session] = machine.sessions(range(61, 62), turns=2)
    event = {"session_id": session.session_id, "cwd": str(machine.project), "hook_event_name": "PreToolUse",
             "tool_name": "Task", "tool_input": {"prompt": "x"}, "tool_use_id": "toolu_secret_1"}
    assert machine.hook("pre-tool-use", event, {**options, "team_daily_usd": 1000}).returncode == 0
    # A background job that fails: the database is gone, its error is logged and kept in the status file.
    missing = pg_server.url("dropped_team_db")
    make_stamped_venv(machine.data)
    stop = machine.hook("stop", {"session_id": session.session_id, "transcript_path": str(session.main.path),
                                 "cwd": str(machine.project), "hook_event_name": "Stop"}, {"team_db": missing})
    assert stop.returncode == 0 and not stop.stdout
    status = wait_for_background_job(machine.data)
    assert not status["sync"]["ok"] and "does not exist" in status["sync"]["error"]
    assert "does not exist" in (machine.data / "team.log").read_text()
    assert PASSWORD.encode() not in _every_file_under(machine.data)
