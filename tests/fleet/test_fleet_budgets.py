"""Budgets enforced by the real PreToolUse hook (a subprocess, as Claude Code runs it) on generated sessions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from fleet_helpers import (
    cost,
    dollars,
    make_session,
    reply,
    run_hook,
    start_today,
    stop,
    tool_event,
)

from fixtures_gen.synth import realistic_session
from thrifty.cli import cli
from thrifty.guard.budgets import raise_amount
from thrifty.paths import data_dir, ledger_path, transcripts_dir

MAIN_OPUS = "claude-opus-4-8"


def deny_reason(answer: dict[str, object]) -> str:
    specific = answer.get("hookSpecificOutput")
    assert isinstance(specific, dict), answer
    assert specific["permissionDecision"] == "deny", answer
    return str(specific["permissionDecisionReason"])


def test_a_session_under_its_budget_is_left_alone_with_no_output(project: Path) -> None:
    session = make_session(11, project)
    spent = cost(session.transcripts)
    for tool in ("Task", "Agent", "WebSearch", "Read"):
        result = run_hook("pre-tool-use", tool_event(session, project, tool, {"q": tool}),
                          {"session_usd": round(spent * 2, 2)})
        assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_past_the_warning_share_the_user_and_the_model_are_told_once(project: Path) -> None:
    session = make_session(12, project)
    limit = round(cost(session.transcripts) / 0.9, 2)  # 90% spent
    first = reply(run_hook("pre-tool-use", tool_event(session, project, "Read", {"file_path": "/a"}),
                           {"session_usd": limit}))
    assert "90% used" in first["systemMessage"] and f"${limit:,.2f}" in first["systemMessage"]
    assert "thrifty budget raise session" in first["systemMessage"]
    assert "90%" in first["hookSpecificOutput"]["additionalContext"]
    assert "permissionDecision" not in first["hookSpecificOutput"]
    second = run_hook("pre-tool-use", tool_event(session, project, "Task", {"prompt": "b"}), {"session_usd": limit})
    assert second.returncode == 0 and second.stdout == ""


def test_past_the_budget_new_subagents_and_expensive_tools_are_denied_with_the_spend(project: Path) -> None:
    session = make_session(13, project)
    spent = cost(session.transcripts)
    limit = round(spent / 1.1, 2)  # 110%: over, below the 120% ceiling
    options = {"session_usd": limit}
    for tool in ("Task", "Agent", "WebFetch"):
        answer = reply(run_hook("pre-tool-use", tool_event(session, project, tool, {"t": tool}), options))
        reason = deny_reason(answer)
        assert f"session budget ${limit:,.2f} reached" in reason and tool in reason
        assert dollars(reason.split("spent")[1])[0] == pytest.approx(spent, abs=0.006)
        assert f"thrifty budget raise session {limit:g} --session {session.session_id}" in reason
        assert "continue" not in answer
    cheap = run_hook("pre-tool-use", tool_event(session, project, "Read", {"file_path": "/b"}), options)
    assert cheap.returncode == 0 and cheap.stdout == ""  # told once already; cheap tools still run


def test_past_the_ceiling_the_session_is_stopped(project: Path) -> None:
    session = make_session(14, project)
    limit = round(cost(session.transcripts) / 1.5, 2)
    answer = reply(run_hook("pre-tool-use", tool_event(session, project, "Read", {"file_path": "/c"}),
                            {"session_usd": limit}))
    assert answer["continue"] is False
    assert "ceiling" in answer["stopReason"] and f"${limit:,.2f}" in answer["stopReason"]
    assert deny_reason(answer)


def test_a_raised_budget_unblocks_the_next_tool_call(project: Path) -> None:
    session = make_session(15, project)
    limit = round(cost(session.transcripts) / 1.1, 2)
    event = tool_event(session, project, "Task", {"prompt": "fan out"})
    assert deny_reason(reply(run_hook("pre-tool-use", event, {"session_usd": limit})))
    raised = CliRunner().invoke(cli, ["budget", "raise", "session", str(limit), "--session",
                                      session.session_id[:8]], catch_exceptions=False)
    assert raised.exit_code == 0, raised.output
    assert "next tool call" in raised.output
    again = run_hook("pre-tool-use", tool_event(session, project, "Task", {"prompt": "fan out again"}),
                     {"session_usd": limit})
    assert again.returncode == 0 and again.stdout == ""


def test_the_suggested_raise_lifts_a_budget_set_far_below_the_spend(project: Path) -> None:
    session = make_session(17, project)
    limit = 0.01  # set mid-session, long after the spend passed it
    event = tool_event(session, project, "Task", {"prompt": "fan out"})
    answer = reply(run_hook("pre-tool-use", event, {"session_usd": limit}))
    assert answer.get("continue") is False
    command = str(answer["stopReason"]).split("`")[1]
    assert command.startswith("thrifty budget raise session ")
    raised = CliRunner().invoke(cli, command.split()[1:], catch_exceptions=False)
    assert raised.exit_code == 0, raised.output
    again = reply(run_hook("pre-tool-use", tool_event(session, project, "Task", {"prompt": "again"}),
                           {"session_usd": limit}))
    assert again.get("continue") is not False
    assert "permissionDecision" not in str(again.get("hookSpecificOutput", {}))  # neither stopped nor refused


def test_a_subagent_over_its_own_budget_is_refused_while_the_main_thread_is_not(project: Path) -> None:
    session = make_session(16, project, subagents=1)
    sub = session.subagents[0]
    limit = round(cost([sub]) / 1.1, 4)
    options = {"subagent_usd": limit}
    inside = reply(run_hook("pre-tool-use", tool_event(session, project, "Task", {"p": 1}, agent_id=sub.agent_id),
                            options))
    assert f"subagent {sub.agent_id[:12]} budget" in deny_reason(inside)
    assert f"--agent {sub.agent_id}" in deny_reason(inside)
    main = run_hook("pre-tool-use", tool_event(session, project, "Task", {"p": 2}), options)
    assert main.stdout == ""


def test_the_daily_budget_counts_every_session_of_the_day(project: Path) -> None:
    first, second = make_session(17, project), make_session(18, project)
    both = cost(first.transcripts) + cost(second.transcripts)
    limit = round(both / 1.1, 2)
    assert cost(second.transcripts) < limit  # the session alone is under: only the sum is over
    reason = deny_reason(reply(run_hook("pre-tool-use", tool_event(second, project, "Task"), {"daily_usd": limit})))
    assert f"daily budget ${limit:,.2f} reached" in reason
    assert dollars(reason.split("spent")[1])[0] == pytest.approx(both, abs=0.006)


def test_a_token_budget_counts_every_token_kind(project: Path) -> None:
    session = make_session(19, project, subagents=0)
    total = sum(sum(r.tokens) for r in session.main.responses)
    reason = deny_reason(reply(run_hook("pre-tool-use", tool_event(session, project, "Task"),
                                        {"session_tokens": int(total / 1.1)})))
    assert f"spent {total:,} tokens" in reason and "--tokens" in reason


def test_the_project_pyproject_overrides_the_plugin_options(project: Path) -> None:
    session = make_session(20, project)
    spent = cost(session.transcripts)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "x"\n\n[tool.thrifty.budget]\nsession_usd = {spent / 1.1:.2f}\n', encoding="utf-8")
    answer = reply(run_hook("pre-tool-use", tool_event(session, project, "Task"), {"session_usd": spent * 10}))
    assert "reached" in deny_reason(answer)


def test_a_project_settings_file_that_is_a_fifo_does_not_block_the_hook(project: Path) -> None:
    import os

    session = make_session(33, project)
    os.mkfifo(project / "pyproject.toml")
    os.mkfifo(project / ".thrifty.toml")
    result = run_hook("pre-tool-use", tool_event(session, project, "Task"), {"session_usd": 0.01})  # bounded wait
    assert "session budget $0.01" in deny_reason(reply(result))  # the userConfig budget still applies


def test_bad_settings_are_reported_to_the_user_once_and_do_not_break_the_call(project: Path) -> None:
    session = make_session(21, project)
    (project / ".thrifty.toml").write_text('[budget]\nsession_usd = "lots"\nsesion_usd = 3\n', encoding="utf-8")
    first = reply(run_hook("pre-tool-use", tool_event(session, project, "Task"), {}))
    assert "session_usd = 'lots' ignored" in first["systemMessage"]
    assert "unknown setting 'sesion_usd'" in first["systemMessage"]
    assert "hookSpecificOutput" not in first  # nothing for the model, no decision
    assert run_hook("pre-tool-use", tool_event(session, project, "Task", {"p": "again"}), {}).stdout == ""


def test_spend_written_during_a_long_turn_reaches_the_budget_through_post_tool_use(project: Path) -> None:
    session = make_session(22, project, subagents=0)
    limit = round(cost(session.transcripts) * 1.5, 2)
    options = {"session_usd": limit}
    assert run_hook("pre-tool-use", tool_event(session, project, "Read", {"f": 1}), options).stdout == ""
    for _ in range(6):  # expensive turns, no Stop hook in between: only PostToolUse ingests them
        response = session.main.respond(MAIN_OPUS, output=20_000, tools=("Read",))
        session.main.tool_results(response, [4_000])
    session.main.save()
    assert cost(session.transcripts) > limit * 1.0
    post = run_hook("post-tool-use", tool_event(session, project, "Read", {"f": 1}, hook_event_name="PostToolUse",
                                                tool_response={"content": "x"}), options)
    assert post.returncode == 0 and post.stdout == ""
    reason = deny_reason(reply(run_hook("pre-tool-use", tool_event(session, project, "Task"), options)))
    assert dollars(reason.split("spent")[1])[0] == pytest.approx(cost(session.transcripts), abs=0.006)


def test_the_hook_fails_open_on_a_corrupt_ledger_and_logs_why(project: Path) -> None:
    session = make_session(23, project)
    ledger_path().write_bytes(b"this is not an SQLite database\n" * 200)
    for path in ledger_path().parent.glob("ledger.db-*"):
        path.unlink()
    result = run_hook("pre-tool-use", tool_event(session, project, "Task"), {"session_usd": 0.01})
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    log = (data_dir() / "hooks.log").read_text(encoding="utf-8")
    assert "pre-tool-use" in log and "LedgerError" in log


def test_an_event_without_a_session_or_with_garbage_input_is_ignored(project: Path) -> None:
    for payload in ("", "{}", '{"tool_name": "Task"}', "not json at all", '["a list"]'):
        result = run_hook("pre-tool-use", payload, {"session_usd": 1})
        assert result.returncode == 0 and result.stdout == ""


def test_the_stop_hook_after_more_turns_keeps_the_budget_current(project: Path) -> None:
    session = make_session(24, project, subagents=0)
    before = cost(session.transcripts)
    limit = round(before * 1.5, 2)
    assert run_hook("pre-tool-use", tool_event(session, project, "Task", {"n": 1}), {"session_usd": limit}
                    ).stdout == ""
    session.main.respond("claude-sonnet-4-6", output=int(0.65 * before / 15e-6))  # about 110% of the limit now
    session.main.save()
    stop(session, project)
    reason = deny_reason(reply(run_hook("pre-tool-use", tool_event(session, project, "Task", {"n": 2}),
                                        {"session_usd": limit})))
    assert f"session budget ${limit:,.2f} reached" in reason
    assert dollars(reason.split("spent")[1])[0] == pytest.approx(cost(session.transcripts), abs=0.006)


def test_a_ledger_held_by_another_writer_still_gets_a_budget_decision_without_waiting_long(project: Path) -> None:
    session = make_session(25, project, subagents=0)
    limit = round(cost(session.transcripts) / 1.1, 2)
    blocker = sqlite3.connect(ledger_path(), isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # e.g. a cold `thrifty report` writing a large history
        answer = reply(run_hook("pre-tool-use", tool_event(session, project, "Task"), {"session_usd": limit}))
        assert "reached" in deny_reason(answer)
        assert "systemMessage" not in answer  # the one-time notice could not be recorded, so it waits for later
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    later = reply(run_hook("pre-tool-use", tool_event(session, project, "Read", {"f": 1}), {"session_usd": limit}))
    assert "reached" in later["systemMessage"]


def test_the_turn_that_asked_for_the_call_counts_before_the_gate_decides(project: Path) -> None:
    """Claude Code writes the assistant turn before PreToolUse runs; no Stop hook has ingested it yet."""
    session = realistic_session(transcripts_dir(), seed=31, turns=6, models=("claude-sonnet-4-6",), subagents=0,
                                start=start_today(), extras=False)  # written, never ingested
    spent = cost(session.transcripts)
    limit = round(spent / 1.1, 2)  # 110%: over
    reason = deny_reason(reply(run_hook("pre-tool-use", tool_event(session, project, "Agent"),
                                        {"session_usd": limit})))
    assert f"session budget ${limit:,.2f} reached" in reason
    assert reason.startswith("Refused by thrifty's budget policy (not a failure): ")


@pytest.mark.parametrize(("amount", "text"), [
    (0.0001, "0.0001"), (0.0123, "0.013"), (0.00113, "0.0012"), (0.5, "0.50"), (0.085, "0.085"), (1234.5, "1234.50"),
    (0.1001, "0.11"),
])
def test_a_suggested_raise_is_rounded_up_at_the_precision_money_is_shown(amount: float, text: str) -> None:
    assert raise_amount(amount) == text


def _absurd_usage_line(session_path: Path, **usage: object) -> str:
    """The session's last usage line again, under a new message id, with `usage` counts that no turn can have."""
    import json

    lines = [json.loads(line) for line in session_path.read_text(encoding="utf-8").splitlines() if '"usage"' in line]
    record = lines[-1]
    record["message"] = {**record["message"], "id": "msg_absurd", "usage": {**record["message"]["usage"], **usage}}
    record["requestId"] = "req_absurd"
    return json.dumps(record, separators=(",", ":"))  # compact, as Claude Code writes it


@pytest.mark.parametrize("usage", [
    {"input_tokens": 2**63 - 1, "output_tokens": 2**63 - 1},
    {"input_tokens": 10**12 + 1},
    {"output_tokens": 12.5},
])
def test_an_absurd_usage_line_is_rejected_reports_keep_working_and_budgets_stay_enforced(
    project: Path, usage: dict[str, object]
) -> None:
    session = make_session(31, project, subagents=0)
    session.main.raw(_absurd_usage_line(session.main.path, **usage))
    session.main.save()
    stop(session, project)
    log = (data_dir() / "hooks.log").read_text(encoding="utf-8")
    assert "implausible usage" in log and "msg_absurd" in log
    result = CliRunner().invoke(cli, ["report", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 usage line with implausible token counts skipped" in result.output
    assert CliRunner().invoke(cli, ["report"], catch_exceptions=False).exit_code == 0
    assert CliRunner().invoke(cli, ["budget", "--session", session.session_id],
                              catch_exceptions=False).exit_code == 0
    deny_reason(reply(run_hook("pre-tool-use", tool_event(session, project, "Task"), {"session_tokens": 1000})))


def test_a_budget_that_cannot_be_computed_refuses_fan_out_only_when_budget_fail_is_closed(project: Path) -> None:
    session = make_session(32, project, subagents=0)
    ledger_path().write_bytes(b"this is not an SQLite database\n" * 200)
    for path in ledger_path().parent.glob("ledger.db-*"):
        path.unlink()
    closed = {"session_usd": 5, "budget_fail": "closed"}
    reason = deny_reason(reply(run_hook("pre-tool-use", tool_event(session, project, "Task"), closed)))
    assert "the budget cannot be checked" in reason and "budget_fail = closed (userConfig)" in reason
    assert run_hook("pre-tool-use", tool_event(session, project, "Read", {"file_path": "/a"}), closed).stdout == ""
    opened = run_hook("pre-tool-use", tool_event(session, project, "Task"), {"session_usd": 5})
    assert opened.returncode == 0 and opened.stdout == ""  # the default fails open, and logs why
