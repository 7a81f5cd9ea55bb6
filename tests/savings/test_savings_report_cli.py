"""`thrifty report branches` and `thrifty report savings` through the CLI, from generated transcripts and the real
PostToolUse hook."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from savings_helpers import event, run, write_lines

from fixtures_gen.transcripts import realistic_session
from thrifty.cli import cli
from thrifty.paths import transcripts_dir


def report_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["report", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_branches_sum_to_sessions_and_give_each_model_tier_its_share() -> None:
    projects = transcripts_dir()
    sessions = [realistic_session(projects, seed=seed, turns=8) for seed in (11, 12, 13)]
    feature = sessions[0]
    for path in projects.rglob("*.jsonl"):  # the feature session's main and subagent transcripts
        if feature.session_id in str(path):
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r'"gitBranch": ?"main"', '"gitBranch": "feature-x"', text), encoding="utf-8")
    branches = report_json("branches")
    totals = report_json("sessions")["totals"]
    fields = ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "total_tokens", "turns")
    assert {k: branches["totals"][k] for k in fields} == {k: totals[k] for k in fields}
    assert abs(branches["totals"]["cost_usd"] - totals["cost_usd"]) < 1e-9
    by_branch = {b["git_branch"]: b for b in branches["branches"]}
    assert set(by_branch) == {"main", "feature-x"}
    assert sum(b["total_tokens"] for b in by_branch.values()) == totals["total_tokens"]
    assert by_branch["feature-x"]["sessions"] == 1 and by_branch["main"]["sessions"] == 2
    for row in [*branches["branches"], *branches["sessions"]]:
        assert abs(sum(m["token_share"] for m in row["model_mix"]) - 1) < 1e-3
        assert abs(sum(m["cost_share"] for m in row["model_mix"]) - 1) < 1e-3


def test_savings_lists_whole_reads_repeat_reads_and_noisy_checks_with_their_calls(project: Path) -> None:
    big = write_lines(project / "big.py", 1000)
    (project / ".thrifty.toml").write_text('[checks]\ntests = "pytest -q"\n', encoding="utf-8")

    def after(session_id: str, tool: str, tool_input: dict[str, Any], response: object, agent: str | None = None
              ) -> None:
        payload = event(session_id, project, tool, tool_input, agent_id=agent, hook_event_name="PostToolUse",
                        tool_response=response)
        run("post-tool-use", payload)

    content = big.read_text(encoding="utf-8")
    read = {"type": "text", "file": {"filePath": str(big), "content": content, "numLines": 1000, "startLine": 1,
                                     "totalLines": 1000}}
    after("sess-a", "Read", {"file_path": str(big)}, read)
    after("sess-c", "Read", {"file_path": str(big)}, read)  # read whole, then edited: Edit needs it, no waste
    after("sess-c", "Edit", {"file_path": str(big), "old_string": "x", "new_string": "y"}, {"filePath": str(big)})
    after("sess-b", "Read", {"file_path": str(big), "offset": 1, "limit": 1000}, read)
    after("sess-b", "Bash", {"command": "pytest -q tests"}, {"stdout": "." * 20_000, "stderr": ""})
    after("sess-b", "Bash", {"command": "pytest -q tests/one"}, {"stdout": "1 passed", "stderr": ""})
    report = report_json("savings")
    by_session = {s["session_id"]: s for s in report["sessions"]}
    [whole] = by_session["sess-a"]["waste"]
    assert whole["kind"] == "whole_file_read" and whole["path"] == "big.py"
    assert whole["suggestion"] == 'mcp__plugin_thrifty_thrifty__read_many(files=["big.py"])'
    assert whole["tokens"] == -(-(len(content) + sum(len(str(i)) + 1 for i in range(1, 1001))) // 4)
    kinds = sorted(w["kind"] for w in by_session["sess-b"]["waste"])
    assert kinds == ["noisy_check_output", "repeat_read"]  # the ranged read is no whole read; the short check passes
    noisy = next(w for w in by_session["sess-b"]["waste"] if w["kind"] == "noisy_check_output")
    assert noisy["suggestion"] == 'mcp__plugin_thrifty_thrifty__run_checks(checks=["tests"])'
    assert noisy["tokens"] == 5_000
    assert [w["kind"] for w in by_session["sess-c"]["waste"]] == ["repeat_read"]
    assert report["totals"]["waste_by_kind"] == {"whole_file_read": 1, "repeat_read": 2, "noisy_check_output": 1}


def test_a_read_whose_posttooluse_never_ran_is_still_known_from_pretooluse(project: Path) -> None:
    big = write_lines(project / "big.py", 1000)  # 45 KB: over read_many's 24 KB whole-file limit
    run("pre-tool-use", event("sess-cut", project, "Read", {"file_path": str(big)}))
    report = report_json("savings", "--session", "sess-cut")
    [whole] = report["sessions"][0]["waste"]
    assert (whole["kind"], whole["path"]) == ("whole_file_read", "big.py")
    assert whole["tokens"] == -(-big.stat().st_size // 4)  # no result recorded: the file's size stands in


def test_a_read_refused_in_pretooluse_is_no_waste(project: Path) -> None:
    big = write_lines(project / "big.py", 1000)
    refused = run("pre-tool-use", event("sess-refused", project, "Read", {"file_path": str(big)}), {"steer": "enforce"})
    assert refused["hookSpecificOutput"]["permissionDecision"] == "deny"
    refused = run("pre-tool-use", event("sess-refused", project, "Read", {"file_path": str(big)}),
                  {"steer": "off", "loop_repeat_limit": 1})  # a loop-guard refusal too
    assert refused["hookSpecificOutput"]["permissionDecision"] == "deny"
    report = report_json("savings", "--session", "sess-refused")
    assert [waste for session in report["sessions"] for waste in session["waste"]] == []
