"""`thrifty report`: every view's JSON checked against totals computed from the generator's ground truth."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from ledger_helpers import expected_cost, report, report_json

from fixtures_gen.transcripts import Session, append_line, expected_tokens, realistic_session
from thrifty.cli import cli
from thrifty.paths import ledger_path
from thrifty.report.build import build
from thrifty.report.table import Screen, render


def day(n: int) -> datetime:
    return datetime(2026, 11, n, 12, 0, tzinfo=UTC)


def test_sessions_json_equals_the_ground_truth_field_by_field(projects: Path) -> None:
    sessions = [realistic_session(projects, seed=seed, turns=10, start=day(10 + seed)) for seed in (3, 4, 5)]
    data = report_json("sessions")
    rows = {row["session_id"]: row for row in data["sessions"]}
    assert set(rows) == {s.session_id for s in sessions}
    for session in sessions:
        responses = session.responses()
        row = rows[session.session_id]
        want = expected_tokens(responses)
        assert {key: row[key] for key in want} == want
        assert row["total_tokens"] == sum(want[k] for k in ("input_tokens", "output_tokens",
                                                              "cache_creation_tokens", "cache_read_tokens"))
        assert row["cost_usd"] == pytest.approx(expected_cost(responses), rel=1e-9)
        assert row["turns"] == len(responses)
        assert row["project"] == session.project
        assert (row["first_activity"], row["last_activity"]) == (min(r.ts for r in responses),
                                                                 max(r.ts for r in responses))
        prompt = want["input_tokens"] + want["cache_creation_tokens"] + want["cache_read_tokens"]
        assert row["cache_hit_ratio"] == pytest.approx(want["cache_read_tokens"] / prompt)
        assert {m.removesuffix("-fast") for m in row["models"]} == {str(r.model) for r in responses}
        assert row["unpriced_models"] == []
    every = [r for s in sessions for r in s.responses()]
    assert {k: data["totals"][k] for k in expected_tokens(every)} == expected_tokens(every)
    assert data["totals"]["cost_usd"] == pytest.approx(expected_cost(every), rel=1e-9)
    assert "malformed transcript lines skipped" in " ".join(data["notes"])


def test_agents_rows_carry_session_agent_type_and_model(projects: Path) -> None:
    session = realistic_session(projects, seed=6, turns=6, subagents=2)
    rows = report_json("agents", "--session", session.session_id)["agents"]
    assert {(r["agent_id"], r["agent_type"], r["model"]) for r in rows} == {
        (str(r.agent_id), r.agent_type if r.agent_id != "main" else None, r.model) for r in session.responses()}
    assert rows[0]["agent_id"] == "main"
    for row in rows:
        mine = [r for r in session.responses() if r.agent_id == row["agent_id"] and r.model == row["model"]]
        assert row["output_tokens"] == sum(r.output_tokens for r in mine)
        assert row["session_id"] == session.session_id


def test_daily_models_and_tools_views_add_up_to_the_same_totals(projects: Path) -> None:
    sessions = [realistic_session(projects, seed=seed, turns=8, start=day(seed)) for seed in (7, 8)]
    every = [r for s in sessions for r in s.responses()]
    daily = report_json("daily")
    assert [row["date"] for row in daily["daily"]] == sorted({r.ts[:10] for r in every})
    assert sum(row["output_tokens"] for row in daily["daily"]) == sum(r.output_tokens for r in every)
    models = report_json("models")
    assert {row["model"] for row in models["models"]} == {r.model for r in every}
    assert sum(row["cost_usd"] for row in models["models"]) == pytest.approx(expected_cost(every), rel=1e-9)
    tools = report_json("tools")
    calls: dict[str, int] = {}
    for r in every:
        for name in r.tools:
            calls[name] = calls.get(name, 0) + 1
    assert {row["name"]: row["calls"] for row in tools["tools"]} == calls
    assert tools["totals"]["calls"] == sum(calls.values())


def test_summary_shows_the_latest_session_by_agent_model_and_tool(projects: Path) -> None:
    realistic_session(projects, seed=9, turns=4, start=day(1))
    latest = realistic_session(projects, seed=10, turns=5, start=day(20))
    data = report_json("summary")
    assert data["session_id"] == latest.session_id
    assert data["totals"]["output_tokens"] == sum(r.output_tokens for r in latest.responses())
    assert {row["agent_id"] for row in data["agents"]} == {str(r.agent_id) for r in latest.responses()}
    assert data["models"] and data["tools"]
    text = report("summary", "--session", latest.session_id)
    assert text.exit_code == 0 and latest.session_id in text.stdout and "by agent" in text.stdout


def test_plain_summary_names_every_agent_and_model_in_a_fraction_of_the_table_bytes(projects: Path) -> None:
    session = realistic_session(projects, seed=11, turns=12)
    data = report_json("summary", "--session", session.session_id)
    plain = report("summary", "--session", session.session_id, "--plain")
    table = report("summary", "--session", session.session_id)
    assert plain.exit_code == 0
    assert f"total ${data['totals']['cost_usd']:,.2f}" in plain.stdout
    for agent in data["agents"]:
        assert (agent["agent_id"] if agent["agent_id"] == "main" else agent["agent_id"][:8]) in plain.stdout
    for model in data["models"]:
        assert model["model"].removeprefix("claude-") in plain.stdout
    assert "┌" not in plain.stdout
    assert len(plain.stdout.encode()) * 4 < len(table.stdout.encode())


def test_plain_is_refused_outside_the_summary_view(projects: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "sessions", "--plain"])
    assert result.exit_code == 2 and "--plain applies to the summary view's table output only" in result.output


def test_filters_select_sessions_by_date_project_and_id(projects: Path) -> None:
    early = realistic_session(projects, seed=11, turns=3, start=day(2))
    late = realistic_session(projects, seed=12, turns=3, start=day(25))
    ids = lambda *args: {row["session_id"] for row in report_json("sessions", *args)["sessions"]}  # noqa: E731
    assert ids("--since", "2026-11-20") == {late.session_id}
    assert ids("--until", "20261110") == {early.session_id}
    assert ids("--session", early.session_id) == {early.session_id}
    assert ids("--project", late.project) == ({late.session_id} if late.project != early.project
                                              else {early.session_id, late.session_id})
    assert ids("--session", "no-such-session") == set()


def test_a_line_finished_after_a_report_is_counted_by_the_next_one(projects: Path) -> None:
    session = Session(projects, "/home/dev/app", seed=13)
    first = session.main.respond("claude-sonnet-4-6", output=120)
    second = session.main.respond("claude-sonnet-4-6", output=80)
    rest = session.main.save_unfinished()
    assert report_json("sessions")["totals"]["output_tokens"] == first.output_tokens
    append_line(session.main.path, rest, newline=False)
    assert report_json("sessions")["totals"]["output_tokens"] == 120 + second.output_tokens


def test_unknown_models_are_counted_but_never_priced_as_zero(projects: Path) -> None:
    session = Session(projects, "/home/dev/app", seed=14)
    session.main.respond("claude-nonesuch-9", output=10)
    session.save()
    other = Session(projects, "/home/dev/other", seed=15)
    known = other.main.respond("claude-haiku-4-5-20251001", output=10)
    other.main.respond("claude-nonesuch-9", output=10)
    other.save()
    rows = {row["session_id"]: row for row in report_json("sessions")["sessions"]}
    unknown_only, mixed = rows[session.session_id], rows[other.session_id]
    assert (unknown_only["cost_usd"], unknown_only["unpriced_models"]) == (None, ["claude-nonesuch-9"])
    assert mixed["cost_usd"] == pytest.approx(expected_cost([known]))
    assert mixed["unpriced_models"] == ["claude-nonesuch-9"]
    notes = report_json("sessions")["notes"]
    assert any("no price known for claude-nonesuch-9" in note for note in notes)
    table = report("sessions")
    assert "n/a" in table.stdout and "*" in table.stdout


def test_an_empty_ledger_gives_a_friendly_message_and_empty_json() -> None:
    text = report()
    assert text.exit_code == 0 and "No token usage found" in text.stdout
    data = report_json("sessions")
    assert data["sessions"] == [] and data["totals"]["total_tokens"] == 0 and data["totals"]["cost_usd"] == 0.0
    assert report_json("tools")["tools"] == []
    assert report_json("summary")["session_id"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "is not a date"),
        (["--until", "2026-13-01"], "is not a date"),
        (["--since", "2026-11-20", "--until", "2026-11-01"], "is after --until"),
        (["weekly"], "weekly"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_no_traceback(args: list[str], message: str) -> None:
    result = report(*args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_damaged_ledger_is_a_clear_error(projects: Path) -> None:
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"definitely not sqlite" * 200)
    result = report("--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "Move the file aside" in result.output and "Traceback" not in result.output


def test_an_unreadable_transcripts_dir_is_a_clear_error(projects: Path) -> None:
    projects.rmdir()
    projects.write_text("", encoding="utf-8")
    result = report()
    assert result.exit_code == 1
    assert "cannot read the transcripts directory" in result.output and "CLAUDE_CONFIG_DIR" in result.output


def test_json_output_is_exactly_one_document(projects: Path) -> None:
    realistic_session(projects, seed=16, turns=3)
    for view in ("sessions", "daily", "agents", "models", "tools", "summary"):
        result = report(view, "--json")
        assert result.exit_code == 0
        json.loads(result.stdout)  # raises on anything but one JSON document


def test_tables_have_a_total_row_and_shrink_to_narrow_terminals(projects: Path) -> None:
    realistic_session(projects, seed=17, turns=5)
    report_json("sessions")  # ingest
    from thrifty.ledger.db import connect
    from thrifty.ledger.queries import Filters

    conn = connect(ledger_path())
    for width in (200, 80):
        out = io.StringIO()
        render(build(conn, "sessions", Filters()), Screen(out, width=width, color=False))
        lines = out.getvalue().splitlines()
        table = [line for line in lines if line[:1] in "┌│├└"]
        assert max(len(line) for line in table) <= width
        assert any(line.startswith("│ Total") for line in table)
        assert ("Total Tokens" in out.getvalue()) == (width == 200)


@pytest.fixture
def india_time(monkeypatch: pytest.MonkeyPatch) -> object:
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_days_are_local_calendar_days_even_in_half_hour_time_zones(projects: Path, india_time: object) -> None:
    before = Session(projects, "/home/dev/a", seed=18, start=datetime(2026, 11, 20, 18, 20, tzinfo=UTC))
    before.main.respond("claude-sonnet-4-6", output=11)
    before.save()
    after = Session(projects, "/home/dev/b", seed=19, start=datetime(2026, 11, 20, 18, 40, tzinfo=UTC))
    after.main.respond("claude-sonnet-4-6", output=22)
    after.save()
    daily = {row["date"]: row["output_tokens"] for row in report_json("daily")["daily"]}
    assert daily == {"2026-11-20": 11, "2026-11-21": 22}  # local midnight is 18:30 UTC
    assert {r["session_id"] for r in report_json("sessions", "--since", "2026-11-21")["sessions"]} == {
        after.session_id}


def test_a_report_meeting_a_locked_ledger_says_it_is_waiting_and_for_what(projects: Path) -> None:
    import subprocess
    import sys

    from fixtures_gen.transcripts import realistic_session
    from thrifty.ledger.db import connect

    realistic_session(projects, seed=41, turns=3, subagents=0)
    holder = connect(ledger_path())
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        proc = subprocess.Popen([sys.executable, "-m", "thrifty", "report", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        waiting = proc.stderr.readline()  # blocks until the report says something: no sleep, bounded by the lock
    finally:
        holder.execute("COMMIT")
        holder.close()
    out, err = proc.communicate(timeout=120)
    assert "waiting for the ledger's write lock" in waiting and str(ledger_path()) in waiting
    assert "held by another thrifty process" in waiting
    assert proc.returncode == 0, err
    assert json.loads(out)["sessions"]


def test_a_ledger_that_cannot_be_written_gets_permissions_advice_not_move_it_aside(projects: Path) -> None:
    import sqlite3

    from thrifty.commands.ledger_access import advice

    for error in (sqlite3.OperationalError("attempt to write a readonly database"),
                  sqlite3.OperationalError("unable to open database file")):
        text = advice(ledger_path(), error)
        assert "permissions problem" in text and "writable" in text and "aside" not in text
    if os.geteuid() != 0:  # root writes through any mode bits: the real case is checked only for a user
        path = ledger_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        assert report("--json").exit_code == 0
        path.chmod(0o444)
        path.parent.chmod(0o555)
        try:
            result = report("--json")
        finally:
            path.parent.chmod(0o755)
            path.chmod(0o644)
        assert result.exit_code == 1 and "permissions problem" in result.output
