"""The team view in the real client: machine A's spend is synced to PostgreSQL; on machine B (Claude Code with
thrifty, team_db and a team daily budget set as userConfig) the Stop hook syncs B in the background, and the next
session's new subagent is refused by the team budget from the local cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from harness import E2E, Script, Usage, reply, tool_use

from fixtures_gen.synth import realistic_session
from fixtures_gen.team import wait_for_background_job

SERVER_DIR = Path(__file__).resolve().parents[2] / "server"


def _machine_a_synced(root: Path, url: str) -> float:
    """A's generated sessions from today, synced to `url` with `thrifty sync`; returns A's spend in USD."""
    start = max(datetime.now().astimezone().replace(hour=0, minute=1, second=0, microsecond=0),
                datetime.now().astimezone() - timedelta(minutes=45)).astimezone(UTC)
    for seed in (1, 2):
        realistic_session(root / "claude" / "projects", seed=seed, turns=6, start=start, subagents=1)
    env = {**os.environ, "THRIFTY_DATA_DIR": str(root / "data"), "CLAUDE_CONFIG_DIR": str(root / "claude"),
           "THRIFTY_USER": "alice", "THRIFTY_HOST": "laptop-a", "PYTHONPATH": str(SERVER_DIR)}
    done = subprocess.run([sys.executable, "-m", "thrifty", "sync", "--db", url, "--json"], env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["turns_added"] > 0
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM thrifty_turns WHERE user_name = 'alice'").fetchone()
        assert row is not None and row[0] > 0
    report = subprocess.run([sys.executable, "-m", "thrifty", "report", "daily", "--json"], env=env,
                            capture_output=True, text=True, timeout=180, check=True)
    return float(json.loads(report.stdout)["totals"]["cost_usd"])


def test_b_syncs_at_stop_and_its_next_subagent_is_refused_by_the_team_budget(e2e: E2E, team_url: str,
                                                                              tmp_path: Path) -> None:
    a_usd = _machine_a_synced(tmp_path / "machine-a", team_url)
    e2e.home.configure(team_db=team_url, team_daily_usd=f"{a_usd * 0.8:.2f}", stop_percent="0")
    bob = {"THRIFTY_USER": "bob", "THRIFTY_HOST": "desktop-b"}

    e2e.serve(Script.of(reply(tool_use("Bash", command="true"), usage=Usage(3, 40, cache_read=900)),
                        reply("Done.", usage=Usage(5, 12, cache_read=950))))
    first = e2e.run("Run true.", allowed_tools=["Bash"], env=bob)
    status = wait_for_background_job(e2e.home.data_dir)
    assert status["sync"]["ok"], status
    assert status["sync"]["others_usd"] == pytest.approx(a_usd)
    with psycopg.connect(team_url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM thrifty_turns WHERE user_name = 'bob' AND host = 'desktop-b' "
                           "AND session_id = %s", (first.session_id,)).fetchone()
        synced = row[0] if row is not None else 0
    assert synced == 2

    api = e2e.serve(Script.of(
        reply(tool_use("Agent", description="explore", prompt="Look around TEAMMARK", subagent_type="Explore")),
        reply("Understood."),
    ))
    second = e2e.run("Explore the project with a subagent.", allowed_tools=["Agent"], env=bob)
    assert second.text == "Understood."
    refused = api.requests[-1].last_tool_result()
    assert refused is not None and refused.is_error, refused
    assert "team daily budget" in refused.text and "stale by at most one sync" in refused.text
    assert "s3cr3t" not in refused.text
    assert not api.conversation_requests("TEAMMARK"), "no subagent ran"
