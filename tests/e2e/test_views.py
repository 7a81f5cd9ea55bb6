"""The cost views after a real Claude Code session with a subagent: the HTML report in a real headless Chromium (no
console error, no outside request, its figures equal the JSON views, the subagent in the session's tree) and the
status line (the session with its subagent, as the ledger and Claude Code's own pricing say)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import E2E, ClaudeRun, Script, Usage, reply, tool_use

from fixtures_gen.chromium import Browser, headless_browser
from fixtures_gen.hooks import SERVER_DIR, statusline_command
from fixtures_gen.report_page import FIGURES_JS, TREE_JS, mismatches, view_json
from thrifty.money import usd


@pytest.fixture
def browser() -> Iterator[Browser]:
    with headless_browser() as started:
        yield started


def session_with_a_subagent(e2e: E2E) -> ClaudeRun:
    e2e.serve(Script.of(
        reply(tool_use("Agent", description="count files", prompt="VIEWSUB count the files",
                       subagent_type="general-purpose", run_in_background=False),
              usage=Usage(6, 120, cache_read=9_000, cache_write_5m=2_400)),
        reply("There are none.", usage=Usage(4, 30, cache_read=11_400, cache_write_5m=900)),
        subagents={"VIEWSUB": [reply("No files.", usage=Usage(8, 60, cache_write_5m=7_000))]},
    ))
    return e2e.run("How many files are there? Ask a subagent.", allowed_tools=["Agent"])


def use_home(e2e: E2E, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point this process at the session's HOME (its transcripts, the ledger its hooks wrote)."""
    env = e2e.home.env()
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", env["CLAUDE_CONFIG_DIR"])
    monkeypatch.setenv("THRIFTY_DATA_DIR", str(e2e.home.data_dir))
    return {**env, "THRIFTY_DATA_DIR": str(e2e.home.data_dir)}


def test_html_report_of_a_real_session_loads_clean_and_equals_the_json(e2e: E2E, browser: Browser, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    run = session_with_a_subagent(e2e)
    env = use_home(e2e, monkeypatch)
    page = tmp_path / "report.html"
    subprocess.run([sys.executable, "-m", "thrifty", "report", "html", "-o", str(page)], env=env, check=True,
                   capture_output=True, timeout=120)
    tab = browser.open(page.as_uri(), 1280, 900)
    assert tab.errors() == [] and tab.requests() == [page.as_uri()]
    checked, wrong = mismatches([tuple(f) for f in tab.evaluate(FIGURES_JS)])
    assert wrong == [] and checked > 40
    agents = {agent for session, agent in tab.evaluate(TREE_JS) if session == run.session_id}
    subagent = next(a for a in view_json("agents")["agents"] if a["agent_id"] != "main")
    assert agents == {"main", subagent["agent_id"]} and subagent["agent_type"] == "general-purpose"
    assert view_json("sessions")["totals"]["cost_usd"] == pytest.approx(run.total_cost_usd, rel=1e-3)


def test_status_line_of_a_real_session_counts_its_subagent(e2e: E2E, project: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    run = session_with_a_subagent(e2e)
    env = use_home(e2e, monkeypatch)
    event = {"session_id": run.session_id, "transcript_path": str(run.transcript), "cwd": str(project),
             "workspace": {"current_dir": str(project), "project_dir": str(project)},
             "cost": {"total_cost_usd": run.total_cost_usd}}
    done = subprocess.run(statusline_command(), input=json.dumps(event).encode(),
                          env={**env, "PYTHONPATH": str(SERVER_DIR), "NO_COLOR": "1"}, capture_output=True,
                          check=True, timeout=60)
    agents = view_json("agents", "--session", run.session_id)["agents"]
    sub = sum(a["cost_usd"] for a in agents if a["agent_id"] != "main")
    assert done.stdout.decode().startswith(f"thrifty {usd(run.total_cost_usd)} (subagents {usd(sub)}) · today $")
    assert sub > 0
