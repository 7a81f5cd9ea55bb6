"""Team budgets: machine A's spend reaches machine B through the team database, and B's PreToolUse refuses a new
subagent from its local cache (no network on that path), saying how old the team figure is. B's cache is filled
by the background job its Stop hook starts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from team_helpers import Machine

from fixtures_gen.claude_code import make_stamped_venv
from fixtures_gen.team import wait_for_background_job

pytest.importorskip("psycopg")


def _task_event(machine: Machine, session_id: str) -> dict[str, object]:
    return {"session_id": session_id, "transcript_path": "", "cwd": str(machine.project),
            "hook_event_name": "PreToolUse", "tool_name": "Task", "tool_use_id": "toolu_team_1",
            "tool_input": {"description": "explore", "prompt": "look around", "subagent_type": "Explore"}}


def _reply(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0 and not result.stderr, result.stderr
    out = result.stdout.strip()
    return json.loads(out) if out else {}


def test_b_refuses_a_new_subagent_once_a_spend_is_synced(tmp_path: Path, team_url: str) -> None:
    a, b = Machine(tmp_path / "a", "alice", "laptop-a"), Machine(tmp_path / "b", "bob", "desktop-b")
    a.sessions(range(1, 4))
    [b_session] = b.sessions(range(31, 32), turns=3)
    a_usd = a.json("report", "daily")["totals"]["cost_usd"]
    b_usd = b.json("report", "daily")["totals"]["cost_usd"]
    assert a_usd > b_usd > 0
    options = {"team_db": team_url, "team_daily_usd": round(b_usd + a_usd / 2, 2), "stop_percent": 0}

    before = _reply(b.hook("pre-tool-use", _task_event(b, b_session.session_id), options))
    assert before == {}, "B alone is under the team budget"

    assert a.json("sync", "--db", team_url)["turns_added"] > 0
    make_stamped_venv(b.data)
    stop = b.hook("stop", {"session_id": b_session.session_id, "transcript_path": str(b_session.main.path),
                           "cwd": str(b.project), "hook_event_name": "Stop", "stop_hook_active": False}, options)
    assert stop.returncode == 0 and not stop.stdout, stop.stderr
    status = wait_for_background_job(b.data)
    assert status["sync"]["ok"], status
    assert status["sync"]["others_usd"] == pytest.approx(a_usd)

    decision = _reply(b.hook("pre-tool-use", _task_event(b, b_session.session_id), options))
    specific = decision["hookSpecificOutput"]
    assert specific["permissionDecision"] == "deny"
    reason = specific["permissionDecisionReason"]
    assert "team daily budget" in reason and "Task is not run" in reason
    assert "1 other machine as of the team sync" in reason and "stale by at most one sync" in reason
    assert team_url.split("@")[0].split(":")[-1] not in json.dumps(decision)

    read = _reply(b.hook("pre-tool-use", {**_task_event(b, b_session.session_id), "tool_name": "Read",
                                          "tool_input": {"file_path": "x"}}, options))
    assert read.get("hookSpecificOutput", {}).get("permissionDecision") != "deny", "cheap tools still run"


def test_team_budget_without_team_db_is_reported_not_enforced(tmp_path: Path) -> None:
    b = Machine(tmp_path / "b", "bob", "desktop-b")
    [session] = b.sessions(range(41, 42), turns=3)
    b.json("report", "daily")
    decision = _reply(b.hook("pre-tool-use", _task_event(b, session.session_id), {"team_daily_usd": 0.0001}))
    assert "need team_db" in decision["systemMessage"]
    assert decision.get("hookSpecificOutput", {}).get("permissionDecision") != "deny"
