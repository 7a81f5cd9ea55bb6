"""`thrifty budget` and `thrifty budget raise`: what the hooks enforce, shown and changed from the terminal."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fleet_helpers import cost, make_session, reply, run_hook, start_today, tool_event

from fixtures_gen.synth import Session
from thrifty.cli import cli


def budget(*args: str) -> Result:
    return CliRunner().invoke(cli, ["budget", *args], catch_exceptions=False)


def seen_by_hooks(session: Session, project: Path, options: Mapping[str, object]) -> dict[str, object]:
    """One PreToolUse call, so the ledger holds the settings this session's hooks use."""
    return reply(run_hook("pre-tool-use", tool_event(session, project, "Read", {"file_path": "/x"}), options))


def test_budget_shows_each_session_with_the_limits_its_hooks_enforce(project: Path) -> None:
    session = make_session(61, project, subagents=1)
    spent = cost(session.transcripts)
    seen_by_hooks(session, project, {"session_usd": round(spent / 1.1, 2), "subagent_usd": 100, "daily_usd": 1000})
    data = json.loads(budget("--json").stdout)
    [row] = data["sessions"]
    assert row["session_id"] == session.session_id and row["settings_from"] == "hooks" and row["state"] == "over"
    levels = {(b["level"], b["agent_id"]) for b in row["budgets"]}
    assert levels == {("session", None), ("subagent", session.subagents[0].agent_id)}
    session_bar = next(b for b in row["budgets"] if b["level"] == "session")
    assert session_bar["spent"] == pytest.approx(spent) and session_bar["ratio"] == pytest.approx(1.1, abs=0.01)
    assert data["daily"][0]["limit"] == 1000 and data["daily"][0]["spent"] == pytest.approx(spent)
    table = budget().output
    assert session.session_id[:8] in table and "reached" in table and "thrifty budget raise session" in table


def test_budget_without_any_budget_says_how_to_set_one(project: Path) -> None:
    make_session(62, project)
    result = budget()
    assert result.exit_code == 0 and "no budget is set" in result.output and "[tool.thrifty.budget]" in result.output


def test_a_raise_needs_a_positive_amount_and_a_known_session(project: Path) -> None:
    session = make_session(63, project)
    seen_by_hooks(session, project, {"session_usd": 5})
    for args, message in ((["raise", "session", "lots"], "not an amount in USD"),
                          (["raise", "session", "0"], "more than 0"),
                          (["raise", "session", "5", "--session", "nope"], "no session 'nope'"),
                          (["raise", "daily", "5", "--session", session.session_id], "drop --session"),
                          (["raise", "session", "5", "--agent", "a1"], "--agent only applies"),
                          (["raise", "weekly", "5"], "'weekly' is not one of"),
                          (["raise", "subagent", "5", "--agent", "zzz"], "has no subagent 'zzz'")):
        result = budget(*args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)


def test_raising_a_budget_the_hooks_do_not_have_is_refused(project: Path) -> None:
    session = make_session(64, project)
    seen_by_hooks(session, project, {"session_usd": 5})
    result = budget("raise", "daily", "10")
    assert result.exit_code == 1 and "no daily usd budget is set" in result.output


def test_a_raise_without_a_session_applies_to_the_latest_one_and_adds_up(project: Path) -> None:
    # Hours before the latest: in the first half hour of a day start_today() puts both in the same minutes.
    make_session(65, project, start=start_today() - timedelta(hours=3))
    latest = make_session(66, project)
    seen_by_hooks(latest, project, {"session_usd": 2})
    assert budget("raise", "session", "$1.50").exit_code == 0
    assert budget("raise", "session", "1", "--session", latest.session_id[:6]).exit_code == 0
    data = json.loads(budget("--json", "--session", latest.session_id).stdout)
    [bar] = data["sessions"][0]["budgets"]
    assert bar["limit"] == pytest.approx(4.5) and bar["raised"] == pytest.approx(2.5)
    assert [r["amount"] for r in data["raises"]] == [1.0, 1.5]


def test_a_token_raise_on_one_subagent_leaves_its_siblings_alone(project: Path) -> None:
    session = make_session(67, project, subagents=2)
    first, second = session.subagents
    seen_by_hooks(session, project, {"subagent_tokens": 1_000})
    result = budget("raise", "subagent", "2M", "--tokens", "--session", session.session_id, "--agent",
                    first.agent_id[:10])
    assert result.exit_code == 0 and "2,000,000 tokens" in result.output
    bars = {b["agent_id"]: b for b in json.loads(budget("--json").stdout)["sessions"][0]["budgets"]}
    assert bars[first.agent_id]["limit"] == 2_001_000 and bars[second.agent_id]["limit"] == 1_000


@pytest.mark.parametrize("args", [["budget"], ["budget", "raise", "daily", "5"], ["watch", "--jsonl"]])
def test_a_damaged_ledger_is_a_clear_error_for_budget_and_watch(args: list[str]) -> None:
    from thrifty.paths import ledger_path

    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"definitely not sqlite" * 200)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "Move the file aside" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == b"definitely not sqlite" * 200
