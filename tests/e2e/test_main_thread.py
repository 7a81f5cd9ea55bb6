"""The main thread in the real client: deferred thrifty tools loaded through ToolSearch, then called."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from harness import E2E, GREP_AND_READ, READ_MANY, RUN_CHECKS, Script, Usage, reply, select, tool_use
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
    assert READ_MANY not in first.tool_names()  # deferred: at most named in a system message, no schema sent
    assert READ_MANY in second.tool_names()  # ToolSearch loaded its schema
    assert second.tool_results()[-1].raw["content"][0]["type"] == "tool_reference"
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


def test_grep_and_read_then_run_checks_on_a_project_with_a_failing_test(e2e: E2E, project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a + b\n",
                                     encoding="utf-8")
    (project / "tests").mkdir()
    (project / "tests" / "test_calc.py").write_text(
        "from calc import add, sub\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
        "def test_sub():\n    assert sub(5, 3) == 2\n", encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n', encoding="utf-8")
    api = e2e.serve(Script.of(
        reply(tool_use("ToolSearch", query=select(GREP_AND_READ) + "," + RUN_CHECKS)),
        reply(tool_use(GREP_AND_READ, patterns=["def sub"], paths=["."])),
        reply(tool_use(RUN_CHECKS)),
        reply("test_sub fails: sub adds."),
    ))
    # The project's Python (with pytest) first on PATH, as with an activated venv: run_checks runs `python -m pytest`.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    e2e.run("Why does the test fail?", allowed_tools=["ToolSearch", GREP_AND_READ, RUN_CHECKS], env={"PATH": path})
    loaded = api.requests[1]
    assert {GREP_AND_READ, RUN_CHECKS} <= set(loaded.tool_names())  # one ToolSearch loaded both schemas
    found = api.requests[2].last_tool_result()
    assert found is not None and not found.is_error and "def sub(a, b):" in found.text and "calc.py" in found.text
    checked = api.requests[3].last_tool_result()
    assert checked is not None and not checked.is_error, checked
    assert "test_sub" in checked.text and "tests/test_calc.py:9" in checked.text
    assert "1 failed" in checked.text and "test_add" not in checked.text.split("1 failed")[0][-200:]


def test_what_a_failing_tool_call_sends_to_post_tool_use_failure(e2e: E2E) -> None:
    recorder = e2e.record_hooks(["PostToolUse", "PostToolUseFailure"])
    api = e2e.serve(Script.of(
        reply(tool_use("Bash", command="echo partial; exit 3")),
        reply(tool_use("ToolSearch", query=select(READ_MANY))),
        reply(tool_use(READ_MANY, files=["calc.py"], max_tokens=0)),  # refused by the tool: an MCP error result
        reply("Both failed."),
    ))
    e2e.run("Try things.", allowed_tools=["Bash", "ToolSearch", READ_MANY])
    failures = recorder.payloads("PostToolUseFailure")
    bash_id, read_id = api.answers[0].tool_uses[0].id, api.answers[2].tool_uses[0].id
    by_id = {f["tool_use_id"]: f for f in failures}
    assert set(by_id) == {bash_id, read_id}
    for failure in failures:
        assert {"session_id", "transcript_path", "cwd", "hook_event_name", "tool_name", "tool_input",
                "tool_use_id", "error", "is_interrupt"} <= set(failure), failure
        assert failure["hook_event_name"] == "PostToolUseFailure" and failure["is_interrupt"] is False
        assert "tool_response" not in failure
        assert isinstance(failure["error"], str) and failure["error"]
    assert by_id[bash_id]["tool_input"] == {"command": "echo partial; exit 3"}
    assert by_id[bash_id]["error"] == "Exit code 3\npartial"  # the exit code, then the output
    assert "max_tokens" in by_id[read_id]["error"]
    assert by_id[read_id]["mcp_server"] == {"name": "plugin:thrifty:thrifty", "source": "plugin"}
    assert {p["tool_name"] for p in recorder.payloads("PostToolUse")} == {"ToolSearch"}
