"""Steering hints and the spawn ceiling through the real PreToolUse hook (subprocesses)."""

from __future__ import annotations

from pathlib import Path

from savings_helpers import context_of, denial_of, event, run, write_lines

READ_MANY = "mcp__plugin_thrifty_thrifty__read_many"


def test_a_whole_read_of_a_big_file_names_the_read_many_call_and_a_small_file_gets_nothing(project: Path) -> None:
    big, small = write_lines(project / "big.py", 3000), write_lines(project / "small.py", 40)
    hint = context_of(run("pre-tool-use", event("s1", project, "Read", {"file_path": str(big)})))
    assert hint is not None and "big.py is 3,000 lines" in hint and f'{READ_MANY}(files=["big.py"])' in hint
    assert run("pre-tool-use", event("s2", project, "Read", {"file_path": str(small)})) == {}
    assert run("pre-tool-use", event("s3", project, "Read", {"file_path": str(big), "offset": 1, "limit": 50})) == {}


def test_each_pattern_is_hinted_at_most_once_per_agent_over_twenty_calls(project: Path) -> None:
    big = write_lines(project / "big.py", 3000)
    replies = [run("pre-tool-use", event("s4", project, "Read", {"file_path": str(big)}), {"steer": "hint"})
               for _ in range(20)]
    hinted = [i for i, reply in enumerate(replies) if context_of(reply)]
    assert len([i for i in hinted if "big.py is 3,000 lines" in (context_of(replies[i]) or "")]) == 1
    assert len([i for i in hinted if "in a row" in (context_of(replies[i]) or "")]) == 1
    assert hinted == [0, 2]  # the whole read at once; the run at the third Read; then quiet
    other_agent = run("pre-tool-use", event("s4", project, "Read", {"file_path": str(big)}, agent_id="a1"))
    assert "big.py is 3,000 lines" in (context_of(other_agent) or "")  # quiet is per agent


def test_the_third_single_read_in_a_row_is_hinted_with_a_batched_call(project: Path) -> None:
    files = [write_lines(project / f"m{i}.py", 10) for i in range(3)]
    replies = [run("pre-tool-use", event("s5", project, "Read", {"file_path": str(f)})) for f in files]
    assert replies[:2] == [{}, {}]
    hint = context_of(replies[2])
    assert hint is not None and f'{READ_MANY}(files=["m2.py", ...])' in hint


def test_a_check_through_bash_is_hinted_with_run_checks_and_enforce_refuses_it(project: Path) -> None:
    (project / ".thrifty.toml").write_text('[checks]\ntests = "python -m pytest -q"\n', encoding="utf-8")
    command = {"command": "python -m pytest tests/test_x.py"}
    hint = context_of(run("pre-tool-use", event("s6", project, "Bash", command)))
    assert hint is not None and 'run_checks(checks=["tests"])' in hint
    reason = denial_of(run("pre-tool-use", event("s7", project, "Bash", command), {"steer": "enforce"}))
    assert reason is not None and 'run_checks(checks=["tests"])' in reason
    assert run("pre-tool-use", event("s8", project, "Bash", command), {"steer": "off"}) == {}
    assert run("pre-tool-use", event("s9", project, "Bash", {"command": "ls -la"})) == {}


def test_the_agent_call_past_max_subagents_is_refused_with_the_count_and_how_to_raise(project: Path) -> None:
    options = {"max_subagents": 2, "max_concurrent_subagents": 0}
    spawn = {"description": "look", "prompt": "go", "subagent_type": "general-purpose"}
    assert run("pre-tool-use", event("s10", project, "Agent", spawn), options) == {}
    assert run("pre-tool-use", event("s10", project, "Agent", spawn, agent_id="nested"), options) == {}
    reason = denial_of(run("pre-tool-use", event("s10", project, "Agent", spawn), options))
    assert reason is not None and "already started 2 subagents" in reason
    assert "max_subagents = 4" in reason and ".thrifty.toml" in reason
    assert run("pre-tool-use", event("s11", project, "Agent", spawn), options) == {}  # per session


def test_max_concurrent_subagents_counts_the_running_ones(project: Path) -> None:
    options = {"max_subagents": 0, "max_concurrent_subagents": 1}
    spawn = {"description": "look", "prompt": "go"}
    assert run("pre-tool-use", event("s12", project, "Agent", spawn), options) == {}
    reason = denial_of(run("pre-tool-use", event("s12", project, "Agent", spawn), options))
    assert reason is not None and "1 subagent of this session is still running" in reason
    run("subagent-stop", {"session_id": "s12", "agent_id": "a-done", "hook_event_name": "SubagentStop",
                          "cwd": str(project)}, options)
    assert run("pre-tool-use", event("s12", project, "Agent", spawn), options) == {}
    failed = event("s12", project, "Agent", spawn, tool_use_id="toolu_failed", hook_event_name="PostToolUseFailure",
                   error="boom")
    run("post-tool-use-failure", failed, options)
    assert run("pre-tool-use", event("s12", project, "Agent", spawn), options) == {}


def _run_quickly(payload: dict[str, object], options: dict[str, object] | None = None) -> dict[str, object]:
    """The hook's reply; a hook that blocks fails the test within 8 s (the hook's own limit is 10 s)."""
    import json
    import subprocess

    from fixtures_gen.hooks import hook_command, hook_env

    done = subprocess.run(hook_command("pre-tool-use"), input=json.dumps(payload), capture_output=True, text=True,
                          env=hook_env({"loop_repeat_limit": 0, "loop_idle_limit": 0, **(options or {})}),
                          timeout=8, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_a_whole_read_of_a_fifo_or_device_gets_no_hint_and_does_not_block(project: Path) -> None:
    import os

    fifo = project / "pipe"
    os.mkfifo(fifo)
    assert _run_quickly(event("s20", project, "Read", {"file_path": str(fifo)})) == {}
    assert _run_quickly(event("s21", project, "Read", {"file_path": "/dev/zero"})) == {}


def test_a_fifo_in_place_of_the_config_files_does_not_block_a_bash_call(project: Path) -> None:
    import os

    os.mkfifo(project / ".thrifty.toml")
    os.mkfifo(project / "pyproject.toml")
    reply = _run_quickly(event("s22", project, "Bash", {"command": "python -m pytest -q"}))
    assert 'run_checks(checks=["pytest"])' in (context_of(reply) or "")
