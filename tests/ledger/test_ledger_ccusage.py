"""`thrifty report sessions --json` against ccusage 20.0.24 on the same generated tree (skipped without ccusage)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import report_json, with_changes

from benchmarks.ledger import find_ccusage
from fixtures_gen.transcripts import Session, append_line, dumps, write_history
from thrifty.paths import claude_config_dir

CCUSAGE = find_ccusage()
pytestmark = pytest.mark.skipif(CCUSAGE is None, reason="ccusage (npm ccusage@20.0.24) is not installed")


def ccusage_sessions(tmp_path: Path) -> dict[str, dict[str, object]]:
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(claude_config_dir()), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "NO_COLOR": "1"}
    result = subprocess.run([str(CCUSAGE), "claude", "session", "--json", "--offline"], env=env,
                            capture_output=True, check=True, timeout=120)
    return {s["sessionId"]: s for s in json.loads(result.stdout)["sessions"]}


def edge_line(n: int, **changes: object) -> str:
    """A usage line with one twist; each gets its own ids so only ccusage's line rules decide what counts."""
    record: dict[str, Any] = {
        "type": "assistant", "sessionId": "edge", "version": "2.1.330", "isSidechain": False,
        "timestamp": f"2026-11-03T10:{n:02d}:00.000Z", "requestId": f"req_edge{n}",
        "message": {"id": f"msg_edge{n}", "model": "claude-sonnet-4-6", "role": "assistant",
                    "content": [{"type": "text", "text": "x"}],
                    "usage": {"input_tokens": 10 + n, "output_tokens": 100 + n, "cache_creation_input_tokens": 1000,
                              "cache_read_input_tokens": 5000 + n}},
    }
    return dumps(with_changes(record, changes))


def write_edge_cases(projects: Path) -> None:
    lines = [
        edge_line(0),
        edge_line(1).replace('"usage":{', '"usage": {'),
        edge_line(2, version="2.1"),
        edge_line(3, version=...),
        edge_line(4, requestId=""),
        edge_line(5, requestId=...),
        edge_line(6, timestamp="2026-11-03T12:06:00.000+02:00"),
        edge_line(7, timestamp="2026-11-03T10:07:00.123456Z"),
        edge_line(8, message__content=[{"type": "tool_use", "id": "t", "name": "Read", "input": {"id": None}}]),
        edge_line(9, message__usage__cache_creation_input_tokens=400,
                  message__usage__cache_creation={"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 300}),
        edge_line(10, message__model="claude-opus-4-6", message__usage__speed="fast"),
        edge_line(11, message__model=...),
        edge_line(12, message__usage__output_tokens=7.5),
        edge_line(13, message__id=...),
        edge_line(14, message__model="claude-opus-4-8[1m]"),
        edge_line(15, message__model="claude-sonnet-4-5-20250929",
                  message__usage__cache_read_input_tokens=350_000),
        edge_line(16, message__model="us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        edge_line(18, message__usage__iterations=[
            {"type": "message", "input_tokens": 28, "output_tokens": 118},
            {"type": "advisor_message", "model": "claude-opus-4-8", "input_tokens": 2000, "output_tokens": 300,
             "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}]),
        '{"type":"assistant","message":{"usage":{',
    ]
    path = projects / "-home-dev-edge" / "edge.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    append_line(path, edge_line(17), newline=False)  # complete, but its newline has not been written yet


def test_per_session_tokens_equal_ccusage_and_costs_agree_within_a_tenth_of_a_percent(
    projects: Path, tmp_path: Path
) -> None:
    write_history(projects, 6_000_000, seed=424_242, turns=25, start=datetime(2026, 9, 14, 6, 30, tzinfo=UTC))
    session = Session(projects, "/home/dev/replays", seed=77)
    parent = session.main.respond("claude-opus-4-8", tools=("Read",))
    session.main.tool_results(parent)
    side = session.side_question()
    side.replay(parent)
    side.respond("claude-haiku-4-5-20251001")
    session.save()
    write_edge_cases(projects)
    theirs = ccusage_sessions(tmp_path)
    ours = {row["session_id"]: row for row in report_json("sessions")["sessions"]}
    assert set(ours) == set(theirs)
    for session_id, expected in theirs.items():
        got = ours[session_id]
        assert (got["input_tokens"], got["output_tokens"], got["cache_creation_tokens"],
                got["cache_read_tokens"]) == (expected["inputTokens"], expected["outputTokens"],
                                              expected["cacheCreationTokens"], expected["cacheReadTokens"]), session_id
        assert (got["cost_usd"] or 0.0) == pytest.approx(expected["totalCost"], rel=1e-3), session_id
        assert (got["first_activity"], got["last_activity"]) == (expected["firstActivity"],
                                                                 expected["lastActivity"]), session_id


def test_a_zero_ttl_split_next_to_real_cache_writes_is_where_thrifty_and_ccusage_part(
    projects: Path, tmp_path: Path
) -> None:
    """Claude Code writes `cache_creation: {5m: 0, 1h: 0}` when the API sends no split (tests/e2e shows it); the
    writes are in `cache_creation_input_tokens`. ccusage 20.0.24 trusts the split and counts none; thrifty counts the
    total, as the API billed it and as Claude Code's own total_cost_usd does."""
    path = projects / "-home-dev-gateway" / "gateway.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(edge_line(0, sessionId="gateway", message__usage__cache_creation={
        "ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}) + "\n", encoding="utf-8")
    theirs = ccusage_sessions(tmp_path)["gateway"]
    (ours,) = report_json("sessions")["sessions"]
    assert theirs["cacheCreationTokens"] == 0
    assert ours["cache_creation_tokens"] == ours["cache_write_5m_tokens"] == 1000
