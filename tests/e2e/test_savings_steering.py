"""Savings, waste, steering hints and the spawn ceiling in the real client (issue 12)."""

from __future__ import annotations

from pathlib import Path

from harness import E2E, READ_MANY, Script, reply, select, tool_use
from harness.ledger import hook_fed

from thrifty.savings.native import READ_CAP_TOKENS, tokens


def big_module(path: Path, lines: int = 3000) -> str:
    rows = [f"def helper_{i}(value):\n    return value * {i} + {i % 7}\n"
            for i in range(lines // 2 - 2)]
    text = "".join(rows) + "def target(x):\n    return x + 1\n"
    path.write_text(text, encoding="utf-8")
    assert len(text.splitlines()) == lines - 2
    return text


def cat_n_tokens(text: str) -> int:
    return tokens(sum(len(f"{i}\t{line}\n") for i, line in enumerate(text.splitlines(), 1)))


def test_read_many_of_one_definition_saves_about_the_whole_file(e2e: E2E, project: Path) -> None:
    source = big_module(project / "big.py")
    api = e2e.serve(Script.of(
        reply(tool_use("ToolSearch", query=select(READ_MANY), max_results=1)),
        reply(tool_use(READ_MANY, files=["big.py#target"])),
        reply("target adds one."),
    ))
    run = e2e.run("What does target do in big.py?", allowed_tools=["ToolSearch", READ_MANY])
    result = api.requests[2].last_tool_result()
    assert result is not None and "return x + 1" in result.text
    report = hook_fed(e2e.home).report("savings", run.session_id)
    [session] = report.sessions
    whole = cat_n_tokens(source)
    assert whole < READ_CAP_TOKENS  # a file Read returns whole (about 73 KB), as in the issue
    assert session.thrifty_calls == 1
    assert abs(session.tokens_avoided - whole) <= 0.1 * whole, (session.tokens_avoided, whole)
    assert session.usd_saved is not None and session.usd_saved > 0
    cost = e2e.serve(Script.of(reply("shown")))
    e2e.run("/thrifty:cost", api=cost, resume=run.session_id)
    shown = cost.requests[0].all_text()  # what /thrifty:cost put before the model
    assert "thrifty: saved ~$" in shown and f"{session.tokens_avoided:,} tokens" in shown, shown[-2000:]


def test_a_whole_read_then_single_reads_are_hinted_and_reported_as_waste(e2e: E2E, project: Path) -> None:
    big_module(project / "big.py")
    small = []
    for name in ("a.py", "b.py", "c.py"):
        (project / name).write_text(f"NAME = {name!r}\n", encoding="utf-8")
        small.append(str(project / name))
    api = e2e.serve(Script.of(
        reply(tool_use("Read", file_path=str(project / "big.py"))),
        *[reply(tool_use("Read", file_path=path)) for path in small],
        reply("Read them all."),
    ))
    run = e2e.run("Read big.py, then a.py, b.py and c.py.", allowed_tools=["Read"])
    hint = "thrifty: big.py is 2,998 lines"
    assert hint in api.requests[1].all_text()  # the request whose answer makes the second Read
    assert f'{READ_MANY}(files=["big.py"])' in api.requests[1].all_text()
    assert "in a row" in api.requests[3].all_text()  # the third single read was hinted
    report = hook_fed(e2e.home).report("savings", run.session_id)
    [session] = report.sessions
    kinds = {w.kind: w for w in session.waste}
    assert {"whole_file_read", "single_reads_run"} <= set(kinds)
    whole = kinds["whole_file_read"]
    assert whole.path == "big.py" and whole.tokens > 10_000
    assert whole.suggestion == f'{READ_MANY}(files=["big.py"])'
    run_waste = kinds["single_reads_run"]
    assert run_waste.tokens > 0 and run_waste.usd is not None
    assert run_waste.suggestion == f'{READ_MANY}(files=["big.py", "a.py", "b.py", "c.py"])'


def test_the_agent_call_past_max_subagents_is_refused(e2e: E2E, project: Path) -> None:
    e2e.home.configure(max_subagents="1")
    agent = {"description": "count", "subagent_type": "general-purpose", "run_in_background": False}
    api = e2e.serve(Script.of(
        reply(tool_use("Agent", prompt="WORKERONE count the files", **agent)),
        reply(tool_use("Agent", prompt="WORKERTWO count the files again", **agent)),
        reply("Stopped at the ceiling."),
        subagents={"WORKERONE": [reply("There are 0 files.")], "WORKERTWO": [reply("never")]},
    ))
    run = e2e.run("Count files with subagents.", allowed_tools=["Agent"])
    refused = api.requests[-1].last_tool_result()
    assert refused is not None and refused.is_error
    assert "already started 1 subagent," in refused.text and "max_subagents = 2" in refused.text
    assert not api.conversation_requests("WORKERTWO")
    assert run.text == "Stopped at the ceiling."
