"""`thrifty report html`: the page's figures equal the JSON views, branches split at a switch, large histories are
summarised, and bad input gets a clear message. (The page in a real browser: test_report_html_browser.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from report_helpers import History, mismatches, page_figures, run, view_json, write_page

from thrifty.report import overview


def test_every_figure_on_the_page_equals_the_json_of_its_view(history: History, tmp_path: Path) -> None:
    figures, _ = page_figures(write_page(tmp_path / "r.html"))
    checked, wrong = mismatches(figures)
    assert wrong == []
    keys = {key.split(".")[0] for key, _, _ in figures}
    assert {"sessions", "daily", "models", "agents", "tools", "cache_misses", "branches"} <= keys
    assert checked > 150


def test_filters_give_the_page_the_figures_of_the_same_filtered_views(history: History, tmp_path: Path) -> None:
    filters = ("--since", "2026-11-19", "--until", "2026-11-20")
    page = write_page(tmp_path / "r.html", *filters)
    checked, wrong = mismatches(page_figures(page)[0], *filters)
    assert wrong == [] and checked > 50
    shown = {row["session_id"] for row in view_json("sessions", *filters)["sessions"]}
    assert history.sessions[0].session_id not in shown and history.switched.session_id in shown
    assert history.sessions[0].session_id[:8] not in page
    assert "2026-11-19 to 2026-11-20" in page


def test_session_tree_shows_main_thread_then_each_subagent_of_the_session(history: History, tmp_path: Path) -> None:
    _, rows = page_figures(write_page(tmp_path / "r.html"))
    agents = view_json("agents")["agents"]
    session = history.sessions[1]
    tree = [(r["data-agent"], r["data-model"]) for r in rows if r["data-session"] == session.session_id]
    assert tree[0][0] == "main"
    assert sorted(tree) == sorted((a["agent_id"], a["model"]) for a in agents if a["session_id"] == session.session_id)
    assert {a for a, _ in tree} == {"main", *(s.agent_id for s in session.subagents)}


def test_cost_per_branch_splits_a_session_at_its_branch_switch_and_sums_to_the_sessions(history: History) -> None:
    code, out, err = run("report", "html", "--json")
    assert code == 0, err
    data = json.loads(out)
    branches = {row["branch"]: row for row in data["branches"]["branches"]}
    after = history.switched.main.responses[4:]
    assert branches["feature/x"]["output_tokens"] == sum(r.output_tokens for r in after)
    assert branches["feature/x"]["turns"] == len(after) and branches["feature/x"]["sessions"] == 1
    totals, branch_totals = data["sessions"]["totals"], data["branches"]["totals"]
    for key in ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "turns"):
        assert branch_totals[key] == totals[key] == sum(row[key] for row in branches.values())
    assert branch_totals["cost_usd"] == pytest.approx(totals["cost_usd"], rel=1e-12)
    assert branches["main"]["sessions"] == len(history.sessions)


def test_a_large_history_shows_the_costliest_in_detail_and_sums_the_rest(history: History, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "DETAIL_SESSIONS", 1)
    monkeypatch.setattr("thrifty.report.html.LISTED_SESSIONS", 2)
    page = write_page(tmp_path / "r.html")
    figures, rows = page_figures(page)
    assert len({r["data-session"] for r in rows}) == 1
    assert "2 smaller sessions" in page and "3 sessions are listed without their tree" in page
    assert mismatches(figures)[1] == []
    costliest = max(view_json("sessions")["sessions"], key=lambda s: s["cost_usd"])
    assert rows[0]["data-session"] == costliest["session_id"]


def test_an_empty_ledger_still_writes_a_page_that_says_so(projects: Path, tmp_path: Path) -> None:
    page = write_page(tmp_path / "r.html")
    assert "No spend recorded." in page and "No budget is set." in page
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o666 & ~umask  # a page to share, not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.glob("*.html*")) == ["r.html"]  # no temporary file left


def test_the_page_names_no_outside_resource(history: History, tmp_path: Path) -> None:
    page = write_page(tmp_path / "r.html")
    for pattern in ("http:", "https:", "//", "<script", "<link", "@import", "url("):
        assert pattern not in page.replace("http-equiv", "").replace("<!doctype", ""), pattern


def test_an_unwritable_output_and_misplaced_options_get_clear_messages(history: History, tmp_path: Path) -> None:
    code, out, err = run("report", "html", "-o", str(tmp_path / "missing" / "r.html"))
    assert code == 1 and "cannot write" in err and "-o" in err and "Traceback" not in out + err
    code, out, err = run("report", "sessions", "-o", str(tmp_path / "r.html"))
    assert code == 2 and "html view only" in err
