"""The loop guard, through the real PreToolUse and PostToolUse hooks (subprocesses), with default and set thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fleet_helpers import make_session, reply, run_hook, tool_event

from fixtures_gen.synth import Session


def call(session: Session, project: Path, tool: str, tool_input: Mapping[str, object],
         options: Mapping[str, object] | None = None, agent_id: str | None = None) -> dict[str, object]:
    # Steering hints (tested in tests/savings) would add context to these Read/Bash runs: this is the loop guard alone.
    return reply(run_hook("pre-tool-use", tool_event(session, project, tool, tool_input, agent_id=agent_id),
                          {"steer": "off", **(options or {})}))


def denied(answer: dict[str, object]) -> str | None:
    specific = answer.get("hookSpecificOutput")
    if isinstance(specific, dict) and specific.get("permissionDecision") == "deny":
        return str(specific["permissionDecisionReason"])
    return None


def test_the_fifth_identical_call_in_a_row_is_refused_by_default(project: Path) -> None:
    session = make_session(31, project, subagents=0)
    same = {"command": "pytest -x tests/test_a.py"}
    for _ in range(4):
        assert call(session, project, "Bash", same) == {}
    reason = denied(call(session, project, "Bash", same))
    assert reason is not None and "identical call number 5" in reason and "Bash" in reason
    assert denied(call(session, project, "Bash", same)) is not None  # retrying it is refused again
    assert call(session, project, "Bash", {"command": "git status"}) == {}  # anything else goes through
    assert call(session, project, "Bash", same) == {}  # and the count starts over


def test_a_set_repeat_limit_is_obeyed_and_zero_turns_it_off(project: Path) -> None:
    session = make_session(32, project, subagents=0)
    same = {"file_path": "/src/app.py"}
    answers = [call(session, project, "Read", same, {"loop_repeat_limit": 6}) for _ in range(6)]
    assert answers[:5] == [{}] * 5 and denied(answers[5]) is not None
    other = make_session(33, project, subagents=0)
    assert all(call(other, project, "Read", same, {"loop_repeat_limit": 0, "loop_idle_limit": 0}) == {}
               for _ in range(8))


def test_calls_alternating_between_inputs_are_not_a_repeat(project: Path) -> None:
    session = make_session(34, project, subagents=0)
    for index in range(10):
        assert call(session, project, "Read", {"file_path": f"/src/{index % 2}.py"}, {"loop_idle_limit": 0}) == {}


def test_each_agent_has_its_own_run_of_calls(project: Path) -> None:
    session = make_session(35, project, subagents=2)
    same = {"pattern": "TODO"}
    for _ in range(4):
        for agent in (None, *(s.agent_id for s in session.subagents)):
            assert call(session, project, "Grep", same, agent_id=agent) == {}
    assert denied(call(session, project, "Grep", same, agent_id=session.subagents[0].agent_id)) is not None


def run_with_result(session: Session, project: Path, tool: str, tool_input: Mapping[str, object],
                    result: object, options: Mapping[str, object]) -> dict[str, object]:
    event = tool_event(session, project, tool, tool_input)
    options = {"steer": "off", **options}
    answer = reply(run_hook("pre-tool-use", event, options))
    if denied(answer) is None:
        post = dict(event, hook_event_name="PostToolUse", tool_response=result)
        done = run_hook("post-tool-use", post, options)
        assert done.returncode == 0 and done.stdout == "", done.stderr
    return answer


def test_calls_that_change_nothing_and_learn_nothing_new_are_refused(project: Path) -> None:
    session = make_session(36, project, subagents=0)
    options = {"loop_idle_limit": 4}
    nothing = {"stdout": "", "stderr": "no matches", "interrupted": False}
    answers = [run_with_result(session, project, "Bash", {"command": f"grep -r foo{i} ."}, nothing, options)
               for i in range(6)]
    assert answers[:5] == [{}] * 5  # the first result is new; the next four are not
    reason = denied(answers[5])
    assert reason is not None and "changed no files and returned nothing new" in reason
    assert run_with_result(session, project, "Bash", {"command": "grep -r bar ."}, nothing, options) == {}


def test_a_file_edit_or_a_new_result_resets_the_idle_count(project: Path) -> None:
    session = make_session(37, project, subagents=0)
    options = {"loop_idle_limit": 3}
    same = {"content": "unchanged"}
    for i in range(3):
        assert run_with_result(session, project, "Read", {"file_path": f"/f{i}"}, same, options) == {}
    assert run_with_result(session, project, "Edit", {"file_path": "/f0", "old_string": "a", "new_string": "b"},
                           {"ok": True}, options) == {}
    for i in range(2):  # without the edit, the second of these would make three idle calls in a row
        assert run_with_result(session, project, "Read", {"file_path": f"/g{i}"}, same, options) == {}
    assert run_with_result(session, project, "Read", {"file_path": "/fresh"}, {"content": "news"}, options) == {}
    for i in range(2):
        assert run_with_result(session, project, "Read", {"file_path": f"/h{i}"}, same, options) == {}


def test_a_failing_tool_repeating_the_same_error_counts_as_nothing_new(project: Path) -> None:
    session = make_session(38, project, subagents=0)
    options = {"loop_idle_limit": 3}
    for i in range(4):
        event = tool_event(session, project, "Bash", {"command": f"make test{i}"})
        assert reply(run_hook("pre-tool-use", event, options)) == {}
        failure = dict(event, hook_event_name="PostToolUseFailure", error="make: *** No rule to make target")
        assert run_hook("post-tool-use-failure", failure, options).returncode == 0
    assert denied(call(session, project, "Bash", {"command": "make test9"}, options)) is not None


def test_polling_the_same_input_while_each_result_is_new_is_not_a_repeat(project: Path) -> None:
    session = make_session(39, project, subagents=0)
    options = {"loop_idle_limit": 0}
    poll = {"bash_id": "b1"}
    for index in range(7):
        output = {"output": f"line {index}\n", "status": "running"}
        assert denied(run_with_result(session, project, "BashOutput", poll, output, options)) is None
    still = {"output": "", "status": "running"}  # new once, then the same again and again: a repeat after all
    answers = [run_with_result(session, project, "BashOutput", poll, still, options) for _ in range(6)]
    # the first of them brought something new, the next four repeat it: the 5th identical call is refused
    assert [denied(answer) is None for answer in answers] == [True] * 4 + [False, False]
