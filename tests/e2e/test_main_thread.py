"""The main thread in the real client: deferred thrifty tools loaded through ToolSearch, then called."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import E2E, READ_MANY, Script, Usage, reply, select, tool_use
from harness.ledger import expected, hook_fed, rebuilt, tokens


def test_toolsearch_then_read_many_returns_the_file_to_the_model(e2e: E2E, project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
                                     encoding="utf-8")
    api = e2e.serve(Script.of(
        reply(tool_use("ToolSearch", query=select(READ_MANY), max_results=1)),
        reply(tool_use(READ_MANY, files=["calc.py#sub"])),
        reply("sub subtracts."),
    ))
    run = e2e.run("What does sub do in calc.py?", allowed_tools=["ToolSearch", READ_MANY])
    assert run.text == "sub subtracts."
    first, second, third = api.requests
    assert READ_MANY not in first.tool_names()  # deferred: named in a system message, schema not sent
    assert READ_MANY in first.all_text()
    assert READ_MANY in second.tool_names() or any(READ_MANY in r.text for r in second.tool_results())
    result = third.last_tool_result()
    assert result is not None and not result.is_error, result
    assert "return a - b" in result.text


def test_both_ledgers_equal_the_api_usage_and_claude_codes_own_cost(e2e: E2E, tmp_path: Path) -> None:
    api = e2e.serve(Script.of(
        reply(tool_use("Bash", command="true"), usage=Usage(3, 40, cache_read=9000, cache_write_5m=1500)),
        reply("Done.", usage=Usage(5, 12, cache_read=10500, cache_write_5m=300, cache_write_1h=50)),
    ))
    run = e2e.run("Run true.", allowed_tools=["Bash"])
    truth = expected(api.usage())
    for ledger in (hook_fed(e2e.home), rebuilt(e2e.home, tmp_path / "rebuilt")):
        sessions = ledger.report("sessions", run.session_id)
        assert tokens(sessions.totals) == truth
        assert sessions.totals.turns == 2
        assert sessions.totals.cost_usd == pytest.approx(run.total_cost_usd, rel=1e-3)
