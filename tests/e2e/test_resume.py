"""A resumed session (`--resume`): the ledgers stay exact across both runs, and /thrifty:cost shows it by agent."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import E2E, Script, Usage, reply, tool_use
from harness.ledger import expected, hook_fed, rebuilt, tokens


def test_a_resumed_session_stays_exact_and_thrifty_cost_shows_it_by_agent(e2e: E2E, tmp_path: Path) -> None:
    first_api = e2e.serve(Script.of(
        reply(tool_use("Agent", description="helper", prompt="HELPER: say hi", subagent_type="general-purpose",
                       run_in_background=False), usage=Usage(5, 30, 0, 12000)),
        reply("The helper said hi.", usage=Usage(3, 15, 12000, 400)),
        subagents={"HELPER": [reply("hi", usage=Usage(7, 4, 0, 6000))]},
    ))
    first = e2e.run("Ask a helper to say hi.", allowed_tools=["Agent"])
    second_api = e2e.serve(Script.of(reply("Here is the cost.", usage=Usage(2, 40, 12400, 900))))
    second = e2e.run("/thrifty:cost", resume=first.session_id)
    assert second.session_id == first.session_id
    # The command's shell line ran before the model saw anything: the summary of the session so far is in the prompt.
    (request,) = second_api.requests
    prompt = request.all_text()
    assert f"session {first.session_id}" in prompt
    assert "\nagents:\n  " in prompt and "\n  main · " in prompt and "general-purpose" in prompt
    truth = first_api.usage() + second_api.usage()
    for name, ledger in (("hook-fed", hook_fed(e2e.home)), ("rebuilt", rebuilt(e2e.home, tmp_path / "rebuilt"))):
        sessions = ledger.report("sessions", first.session_id)
        assert tokens(sessions.totals) == expected(truth), name
        # Claude Code's total_cost_usd after --resume is the whole session's, the first run included.
        assert sessions.totals.cost_usd == pytest.approx(second.total_cost_usd, rel=1e-3), name
        assert second.total_cost_usd > first.total_cost_usd
