"""Subagents in the real client: thrifty:scout with the batched tools, a general-purpose one, a background one; and
both ledgers equal to the script's usage per session, per agent and per model."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import E2E, GREP_AND_READ, READ_MANY, ApiRequest, Reply, Script, ToolUse, Usage, reply, select, tool_use
from harness.ledger import expected, hook_fed, rebuilt, tokens

CALC = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"


def agent(subagent_type: str, prompt: str, *, background: bool = False) -> ToolUse:
    return tool_use("Agent", description=prompt.split(":")[0].lower(), prompt=prompt, subagent_type=subagent_type,
                    run_in_background=background)


def test_scout_and_general_purpose_subagents_are_attributed_exactly_in_both_ledgers(
    e2e: E2E, project: Path, tmp_path: Path
) -> None:
    (project / "calc.py").write_text(CALC, encoding="utf-8")
    recorder = e2e.record_hooks(["PreToolUse", "SubagentStop"])
    api = e2e.serve(Script.of(
        # ToolSearch waits for the plugin's MCP server to connect; a subagent started before that gets its tools only
        # from its second request on ("The following tools just became available").
        reply(tool_use("ToolSearch", query=select(READ_MANY)), usage=Usage(8, 20, 0, 9100)),
        reply(agent("thrifty:scout", "SCOUT: where is add defined?"), usage=Usage(6, 50, 300, 9000)),
        reply(agent("general-purpose", "HELPER: summarise calc.py"), usage=Usage(4, 60, 9300, 800)),
        reply("add is in calc.py:1.", usage=Usage(2, 30, 10100, 500, 20)),
        subagents={
            "SCOUT": [reply(tool_use(GREP_AND_READ, patterns=["def add"]), usage=Usage(11, 40, 0, 7000)),
                      reply(tool_use(READ_MANY, files=["calc.py#add"]), usage=Usage(3, 35, 7000, 400)),
                      reply("calc.py:1 add", usage=Usage(2, 10, 7400, 300))],
            "HELPER": [reply(tool_use("Read", file_path=str(project / "calc.py")), usage=Usage(9, 25, 0, 8000)),
                       reply("Two functions.", usage=Usage(1, 15, 8000, 200, split=False))],
        },
    ))
    run = e2e.run("Find add.", allowed_tools=["ToolSearch", "Agent", "Read", GREP_AND_READ, READ_MANY])

    scout = api.conversation_requests("SCOUT")
    assert {GREP_AND_READ, READ_MANY} <= set(scout[0].tool_names())  # listed in its frontmatter: not deferred
    assert scout[0].model.startswith("claude-haiku-")  # the scout's frontmatter model: haiku
    found, read = scout[1].last_tool_result(), scout[2].last_tool_result()
    assert found is not None and not found.is_error and "def add(a, b):" in found.text
    assert read is not None and not read.is_error and "return a + b" in read.text

    # agent_id in a subagent's hook payloads names its transcript: subagents/agent-<agent_id>.jsonl.
    files = {p.name for p in run.subagent_transcripts()}
    ids = {p["agent_id"] for p in recorder.payloads("PreToolUse") if "agent_id" in p}
    assert len(ids) == 2 and {f"agent-{i}.jsonl" for i in ids} == files
    stops = recorder.payloads("SubagentStop")
    assert {Path(p["agent_transcript_path"]).name for p in stops} == files
    assert {p["agent_type"] for p in stops} == {"thrifty:scout", "general-purpose"}
    scout_id = next(p["agent_id"] for p in stops if p["agent_type"] == "thrifty:scout")
    helper_id = next(p["agent_id"] for p in stops if p["agent_type"] == "general-purpose")

    for name, ledger in (("hook-fed", hook_fed(e2e.home)), ("rebuilt", rebuilt(e2e.home, tmp_path / "rebuilt"))):
        agents = {row.agent_id: row for row in ledger.report("agents", run.session_id).agents}
        assert set(agents) == {"main", scout_id, helper_id}, name
        assert tokens(agents["main"]) == expected(api.usage("main")), name
        assert tokens(agents[scout_id]) == expected(api.usage("SCOUT")), name
        assert tokens(agents[helper_id]) == expected(api.usage("HELPER")), name
        assert agents[scout_id].agent_type == "thrifty:scout", name
        models = {row.model: row for row in ledger.report("models", run.session_id).models}
        assert {m: tokens(r) for m, r in models.items()} == {
            m: expected(api.usage(model=m)) for m in {a.model for a in api.answers}}, name
        sessions = ledger.report("sessions", run.session_id)
        assert tokens(sessions.totals) == expected(api.usage()), name
        assert sessions.totals.cost_usd == pytest.approx(run.total_cost_usd, rel=1e-3), name
        tools = {row.name: row.calls for row in ledger.report("tools", run.session_id).tools}
        issued: dict[str, int] = {}
        for call in api.tool_uses():
            issued[call.name] = issued.get(call.name, 0) + 1
        assert tools == issued, name


def test_a_background_subagent_ends_after_the_first_stop_and_is_still_counted(e2e: E2E, tmp_path: Path) -> None:
    recorder = e2e.record_hooks(["Stop", "SubagentStop"])

    def main_turn(request: ApiRequest) -> Reply:
        # Answers from what arrived, not from timing: the subagent's report may or may not be in yet.
        if "1 2 3" in "\n".join(request.texts()[1:]):
            return reply("It counted to three.", usage=Usage(4, 12, 9300, 400))
        return reply("Started it; I will report when it is done.", usage=Usage(3, 20, 9000, 300))

    api = e2e.serve(Script.of(
        reply(agent("general-purpose", "BACKGROUND: count to three", background=True), usage=Usage(5, 40, 0, 9000)),
        main_turn, main_turn,
        subagents={"BACKGROUND": [reply(tool_use("Bash", command="echo 1 2 3"), usage=Usage(7, 30, 0, 8000)),
                                  reply("1 2 3", usage=Usage(2, 8, 8000, 100))]},
    ))
    run = e2e.run("Count in the background.", allowed_tools=["Agent", "Bash"])
    assert run.text == "It counted to three."
    assert len(recorder.payloads("SubagentStop")) == 1
    if len(api.conversation_requests()) == 3:  # the main turn ended before the report came: Stop fired before it
        assert len(recorder.payloads("Stop")) >= 2
    for name, ledger in (("hook-fed", hook_fed(e2e.home)), ("rebuilt", rebuilt(e2e.home, tmp_path / "rebuilt"))):
        sessions = ledger.report("sessions", run.session_id)
        assert tokens(sessions.totals) == expected(api.usage()), name
        assert sessions.totals.cost_usd == pytest.approx(run.total_cost_usd, rel=1e-3), name
