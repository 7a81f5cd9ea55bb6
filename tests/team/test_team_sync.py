"""Two machines (two data directories) sync into one real PostgreSQL at the same time; the team report equals the
sum of their local reports, a second sync adds nothing, and every row says whose it is."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from team_helpers import Machine, finished, token_totals

pytest.importorskip("psycopg")


@pytest.fixture
def machines(tmp_path: Path) -> tuple[Machine, Machine]:
    a, b = Machine(tmp_path / "a", "alice", "laptop-a"), Machine(tmp_path / "b", "bob", "desktop-b")
    a.sessions(range(1, 5))
    b.sessions(range(11, 14))
    return a, b


def _sync_both(a: Machine, b: Machine, url: str) -> tuple[dict[str, object], dict[str, object]]:
    runs = [m.thrifty("sync", "--db", url, "--json") for m in (a, b)]  # both run at once
    outs = []
    for proc in runs:
        code, out, err = finished(proc)
        assert code == 0, err
        outs.append(json.loads(out))
    return outs[0], outs[1]


def test_concurrent_syncs_sum_to_the_local_reports_and_a_second_sync_adds_nothing(
        machines: tuple[Machine, Machine], team_url: str) -> None:
    a, b = machines
    local = {m.user: m.json("report", "sessions")["totals"] for m in (a, b)}
    first_a, first_b = _sync_both(a, b, team_url)
    assert first_a["turns_added"] == local["alice"]["turns"] and first_b["turns_added"] == local["bob"]["turns"]

    team = a.json("report", "sessions", "--db", team_url)
    expected = tuple(x + y for x, y in zip(token_totals(local["alice"]), token_totals(local["bob"]), strict=True))
    assert token_totals(team["totals"]) == expected
    assert team["totals"]["cost_usd"] == pytest.approx(local["alice"]["cost_usd"] + local["bob"]["cost_usd"])
    assert {(row["user"], row["host"]) for row in team["sessions"]} == {("alice", "laptop-a"), ("bob", "desktop-b")}
    assert team["team"] == {"database": team_url.replace("s3cr3t-Pa55word", "***"), "users": 2, "machines": 2}

    second_a, second_b = _sync_both(a, b, team_url)
    for second in (second_a, second_b):
        assert (second["turns_sent"], second["turns_added"], second["turns_updated"], second["tool_calls_added"]) \
            == (0, 0, 0, 0)
    assert token_totals(a.json("report", "sessions", "--db", team_url)["totals"]) == expected


def test_users_view_and_per_machine_rows_match_each_local_report(machines: tuple[Machine, Machine],
                                                                 team_url: str) -> None:
    a, b = machines
    _sync_both(a, b, team_url)
    users = b.json("report", "users", "--db", team_url)
    by_user = {row["user"]: row for row in users["users"]}
    for machine in (a, b):
        local = machine.json("report", "sessions")
        row = by_user[machine.user]
        assert row["host"] == machine.host
        assert token_totals(row) == token_totals(local["totals"])
        assert row["sessions"] == len(local["sessions"])
    team_agents = a.json("report", "agents", "--db", team_url)
    local_agents = a.json("report", "agents")["agents"] + b.json("report", "agents")["agents"]
    assert len(team_agents["agents"]) == len(local_agents)
    assert {r["agent_type"] for r in team_agents["agents"]} == {r["agent_type"] for r in local_agents}
    tools = a.json("report", "tools", "--db", team_url)
    local_calls = a.json("report", "tools")["totals"]["calls"] + b.json("report", "tools")["totals"]["calls"]
    assert tools["totals"]["calls"] == local_calls
    misses = a.json("report", "cache-misses", "--db", team_url)["totals"]
    local_misses = [m.json("report", "cache-misses")["totals"] for m in (a, b)]
    assert misses["misses"] == sum(t["misses"] for t in local_misses) > 0
    assert misses["rewritten_tokens"] == sum(t["rewritten_tokens"] for t in local_misses)
    daily = a.json("report", "daily", "--db", team_url)
    assert daily["team"]["machines"] == 2 and daily["totals"]["turns"] == sum(
        m.json("report", "daily")["totals"]["turns"] for m in (a, b))
    table = a.run("report", "users", "--db", team_url)
    assert table.returncode == 0, table.stderr
    assert "alice" in table.stdout and "desktop-b" in table.stdout


def test_new_turns_sync_incrementally_and_a_grown_copy_replaces_the_stored_one(
        machines: tuple[Machine, Machine], team_url: str) -> None:
    a, _ = machines
    first_turns = a.json("sync", "--db", team_url)["turns_added"]
    assert first_turns > 0
    a.sessions(range(21, 22), turns=3)
    local_before = a.json("report", "sessions")["totals"]  # ingests the new session
    ledger = sqlite3.connect(a.data / "ledger.db")
    with ledger:  # a later, larger copy of a synced message, as a streaming transcript can write
        ledger.execute("UPDATE turns SET output_tokens = output_tokens + 500 WHERE id = 1")
    ledger.close()
    second = a.json("sync", "--db", team_url)
    new_turns = local_before["turns"] - first_turns
    assert second["turns_added"] == new_turns
    assert second["turns_updated"] == 1
    assert second["turns_sent"] == second["turns_added"] + 1
    team = a.json("report", "sessions", "--db", team_url)["totals"]
    assert team["output_tokens"] == local_before["output_tokens"] + 500
    assert a.json("sync", "--db", team_url)["turns_sent"] == 0


def test_a_history_larger_than_a_chunk_is_sent_whole_once(machines: tuple[Machine, Machine], team_url: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from thrifty.dburl import target_key
    from thrifty.ledger.db import connect as connect_ledger
    from thrifty.team import sync as sync_module
    from thrifty.team.pg import connect

    a, _ = machines
    local = a.json("report", "sessions")["totals"]  # ingests
    calls = a.json("report", "tools")["totals"]["calls"]
    monkeypatch.setattr(sync_module, "CHUNK_ROWS", 7)
    ledger, pg = connect_ledger(a.data / "ledger.db"), connect(team_url)
    try:
        first = sync_module.sync(ledger, pg, target_key(team_url), a.user, a.host)
        again = sync_module.sync(ledger, pg, target_key(team_url), a.user, a.host)
    finally:
        ledger.close()
        pg.close()
    assert (first.turns_added, first.tool_calls_added) == (local["turns"], calls)
    assert first.turns_added > 7 * 3 and first.tool_calls_added > 7 * 3
    assert (again.turns_sent, again.tool_calls_sent) == (0, 0)
    assert token_totals(a.json("report", "sessions", "--db", team_url)["totals"]) == token_totals(local)


@pytest.mark.parametrize("view", ["daily", "models", "agents", "tools", "summary"])
def test_one_machines_team_view_is_its_local_view(machines: tuple[Machine, Machine], team_url: str,
                                                  view: str) -> None:
    # The mirror leaves the tool calls out for views that never read them: each view must still be the local one.
    a, _ = machines
    code, _, err = finished(a.thrifty("sync", "--db", team_url))
    assert code == 0, err
    team, local = a.json("report", view, "--db", team_url), a.json("report", view)
    for row in [team, *team.get("agents", [])]:  # whose rows: what the team form adds to the local one
        for key in ("user", "host"):
            row.pop(key, None)
    team.pop("team")
    for report in (team, local):
        report.pop("notes")  # skipped transcript lines stay on the machine that skipped them
    assert json.dumps(team, sort_keys=True) == json.dumps(local, sort_keys=True)
