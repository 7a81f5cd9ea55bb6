"""Budgets set through userConfig, enforced by the plugin's PreToolUse hook in the real client.

Prices: the scripted model answers as claude-opus-5-5 ($4 per million input tokens), so `Usage(25_000)` is $0.10.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import E2E, ClaudeRun, Script, ToolUse, Usage, reply, tool_use
from harness.ledger import hook_fed

REFUSAL = "Refused by thrifty's budget policy (not a failure): "


def usd(amount: float) -> Usage:
    """Input tokens costing `amount` dollars on claude-opus-5-5."""
    return Usage(round(amount * 250_000))


def agent(prompt: str) -> ToolUse:
    return tool_use("Agent", description="delegate", prompt=prompt, subagent_type="general-purpose",
                    run_in_background=False)


def user_messages(run: ClaudeRun) -> list[str]:
    return [a["content"] for a in run.attachments("hook_system_message")]


def test_a_session_budget_warns_once_refuses_agent_at_100_and_stops_the_run_at_the_ceiling(e2e: E2E) -> None:
    e2e.home.configure(session_usd=0.1)  # warn 80%, refuse at 100%, stop at 120% (defaults)
    api = e2e.serve(Script.of(
        reply(tool_use("Bash", command="true"), usage=usd(0.085)),  # 85%: the call this turn asks for is warned
        reply(tool_use("Bash", command="true # again"), usage=usd(0.004)),  # 89%: no second warning
        reply(agent("SIDE task"), usage=usd(0.016)),  # 105%: Agent refused
        reply(tool_use("Bash", command="true # last"), usage=usd(0.016)),  # 121%: stopped
        reply("never asked for"),
        subagents={"SIDE": [reply("never started")]},
    ))
    run = e2e.run("Work within the budget.", allowed_tools=["Bash", "Agent"], check=False)
    assert run.terminal_reason == "hook_stopped"
    assert len(api.requests) == 4 and not api.conversation_requests("SIDE")  # stopped before a 5th request
    warning = "thrifty: 85% of the session budget $0.10 is spent; prefer cheap steps and avoid new subagents."
    # The warning reaches the model with the first call's result (additionalContext, no permission decision)...
    assert f"PreToolUse:Bash hook additional context: {warning}" in api.requests[1].all_text()
    assert api.requests[3].all_text().count(warning) == 1  # ... once
    refused = api.requests[3].last_tool_result()
    assert refused is not None and refused.is_error
    assert refused.text.startswith(f"PreToolUse:Agent hook error: {REFUSAL}session budget $0.10 reached (spent $0.1")
    assert "so Agent is not run. Do not retry it" in refused.text
    assert [d["tool_input"].get("command") for d in run.permission_denials] == [None, "true # last"]
    # The user is told once per level: the warning, the refusal, then the stop.
    told = user_messages(run)
    assert len(told) == 2 and "is 85% used (spent $0.085)" in told[0] and "reached (spent $0.1" in told[1]
    (stop,) = run.attachments("hook_stopped_continuation")
    assert "passed its 120% ceiling (spent $0.12); the session is stopped" in stop["message"]
    assert hook_fed(e2e.home).report("sessions", run.session_id).totals.cost_usd == pytest.approx(0.121, rel=1e-3)


def test_a_tiny_budget_reads_in_significant_digits_not_cents(e2e: E2E) -> None:
    e2e.home.configure(session_usd=0.0001)
    e2e.serve(Script.of(reply(tool_use("Bash", command="true"), usage=Usage(300)), reply("never asked for")))
    run = e2e.run("Spend a little.", allowed_tools=["Bash"], check=False)
    assert run.terminal_reason == "hook_stopped"
    (stop,) = run.attachments("hook_stopped_continuation")
    message = stop["message"]
    assert message.startswith("thrifty: session budget $0.0001 passed its 120% ceiling (spent $0.0012)")
    assert f"`thrifty budget raise session 0.0012 --session {run.session_id}`" in message
    assert "$0.00 " not in message and "$0.01" not in message


def test_inside_a_subagent_its_budget_refuses_agent_and_the_ceiling_ends_only_that_subagent(e2e: E2E) -> None:
    e2e.home.configure(subagent_usd=0.01)
    api = e2e.serve(Script.of(
        reply(agent("WORKER: look around"), usage=Usage(100)),
        reply("The worker stopped; I carry on.", usage=Usage(1, 1)),
        subagents={
            "WORKER": [reply(agent("NESTED: more"), usage=usd(0.0105)),  # 105% of the subagent's budget
                       reply(tool_use("Bash", command="true"), usage=usd(0.002)),  # 125%: continue:false
                       reply("never asked for")],
            "NESTED": [reply("never started")],
        },
    ))
    run = e2e.run("Delegate.", allowed_tools=["Bash", "Agent"], check=False)
    worker = api.conversation_requests("WORKER")
    assert len(worker) == 2 and not api.conversation_requests("NESTED")
    refused = worker[1].last_tool_result()
    assert refused is not None and refused.is_error
    assert refused.text.startswith(f"PreToolUse:Agent hook error: {REFUSAL}subagent ")
    (stop,) = run.attachments("hook_stopped_continuation")
    assert "this subagent is stopped and hands back to the main thread" in stop["message"]
    # continue:false in a subagent's hook ends the subagent, not the run: the main thread gets the hand-back.
    assert run.terminal_reason == "completed" and run.text == "The worker stopped; I carry on."
    handed_back = api.conversation_requests()[1].last_tool_result()
    assert handed_back is not None and "(Subagent completed but returned no output.)" in handed_back.text


def test_a_daily_budget_counts_every_session_of_the_day(e2e: E2E) -> None:
    e2e.home.configure(daily_usd=0.1)
    e2e.serve(Script.of(reply("First session's answer.", usage=usd(0.09))))
    first = e2e.run("First.")
    api = e2e.serve(Script.of(reply(agent("DAILY: go"), usage=usd(0.02)), reply("Understood."),
                              subagents={"DAILY": [reply("never started")]}))
    second = e2e.run("Second.", allowed_tools=["Agent"], check=False)
    assert first.session_id != second.session_id
    refused = api.requests[1].last_tool_result()
    assert refused is not None and refused.is_error
    assert f"{REFUSAL}daily budget $0.10 reached (spent $0.11)" in refused.text
    assert not api.conversation_requests("DAILY")


def test_the_loop_guard_refuses_the_fifth_identical_call(e2e: E2E, project: Path) -> None:
    api = e2e.serve(Script.of(*[reply(tool_use("Bash", command="ls")) for _ in range(5)], reply("I stop here.")))
    run = e2e.run("List the files.", allowed_tools=["Bash"])
    results = api.requests[-1].tool_results()
    assert [r.is_error for r in results] == [False, False, False, False, True]
    assert results[-1].text.startswith("PreToolUse:Bash hook error: Refused by thrifty's loop guard (not a failure): "
                                       "this is identical call number 5 in a row to Bash")
    assert run.text == "I stop here."
