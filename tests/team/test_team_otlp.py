"""`thrifty export otlp` through the real OpenTelemetry SDK and OTLP/HTTP exporter to a local receiver: the token
counters decode to the ledger's totals, a second export sends nothing, later changes are sent once, the avoided
counter equals the savings rows, and a refused export is repeated whole."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("opentelemetry.exporter.otlp.proto.http")
pytest.importorskip("opentelemetry.proto")

from team_helpers import Machine  # noqa: E402

from fixtures_gen.otlp_receiver import otlp_receiver  # noqa: E402

TYPES = {"input": "input_tokens", "output": "output_tokens", "cacheCreation": "cache_creation_tokens",
         "cacheRead": "cache_read_tokens"}


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    m = Machine(tmp_path / "m", "dana", "box-d")
    m.sessions(range(71, 74), turns=8)
    return m


def _refuse_a_subagent(machine: Machine) -> None:
    session_id = machine.json("report", "sessions")["sessions"][0]["session_id"]
    event = {"session_id": session_id, "cwd": str(machine.project), "hook_event_name": "PreToolUse",
             "tool_name": "Task", "tool_input": {"prompt": "go"}, "tool_use_id": "toolu_otlp_1"}
    result = machine.hook("pre-tool-use", event, {"session_usd": 0.001, "stop_percent": 0})
    assert json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_token_counters_equal_the_ledger_totals_and_a_second_export_sends_nothing(machine: Machine) -> None:
    totals = machine.json("report", "sessions")["totals"]
    _refuse_a_subagent(machine)
    with otlp_receiver() as receiver:
        first = machine.json("export", "otlp", "--endpoint", receiver.url)
        assert first["turns"] == totals["turns"] and first["refusals"] == 1
        assert receiver.requests, "the exporter posted nothing"
        by_type = receiver.by("thrifty.token.usage", "type")
        assert by_type == {kind: totals[field] for kind, field in TYPES.items()}
        assert receiver.total("thrifty.cost.usage") == pytest.approx(totals["cost_usd"])
        [(attrs, value, metric)] = receiver.points("thrifty.budget.refusals")
        assert value == 1 and attrs["tool.name"] == "Task" and attrs["reason"] == "budget"
        assert attrs["session.id"] and attrs["agent.type"] == "main"
        assert metric.sum.is_monotonic and metric.sum.aggregation_temporality == 1  # DELTA
        assert receiver.points("thrifty.tokens.avoided") == []  # no thrifty tool calls in these sessions
        sessions = {row["session_id"] for row in machine.json("report", "sessions")["sessions"]}
        token_points = receiver.points("thrifty.token.usage")
        assert {a["session.id"] for a, _, _ in token_points} == sessions
        assert {a["agent.type"] for a, _, _ in token_points} >= {"main"} and len(
            {a["agent.type"] for a, _, _ in token_points}) > 1
        assert all(a["model"].startswith("claude-") for a, _, _ in token_points)
        resource = {kv.key: kv.value.string_value for kv in receiver.requests[0].resource_metrics[0].resource
                    .attributes}
        assert resource["service.name"] == "thrifty"

        sent = len(receiver.requests)
        second = machine.run("export", "otlp", "--endpoint", receiver.url)
        assert second.returncode == 0 and "nothing new" in second.stdout
        assert len(receiver.requests) == sent

        ledger = sqlite3.connect(machine.data / "ledger.db")
        with ledger:  # a larger copy of an exported message replaces it in place
            ledger.execute("UPDATE turns SET output_tokens = output_tokens + 500 WHERE id = 2")
        ledger.close()
        third = machine.json("export", "otlp", "--endpoint", receiver.url)
        assert (third["turns"], third["token_changes"]) == (0, 1)
        assert receiver.by("thrifty.token.usage", "type", start=sent) == {"output": 500}


READ_MANY = "mcp__plugin_thrifty_thrifty__read_many"


def _save(ledger: sqlite3.Connection, tool_use_id: str, returned: int, native: int, event: tuple[str, str] | None,
          ts: str | None = None) -> None:
    """A savings row as the MCP server writes it and, when `event` = (session, agent) is given, its PostToolUse
    tool_events row."""
    ledger.execute("INSERT INTO savings (tool_use_id, tool, tokens_returned, tokens_native, native_calls, ts) "
                   "VALUES (?, 'read_many', ?, ?, 3, COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
                   (tool_use_id, returned, native, ts))
    if event is not None:
        ledger.execute("INSERT INTO tool_events (tool_use_id, session_id, agent_id, tool_name, kind) "
                       "VALUES (?, ?, ?, ?, 'thrifty')", (tool_use_id, *event, READ_MANY))


def test_avoided_tokens_equal_the_savings_rows_and_are_sent_once(machine: Machine) -> None:
    machine.json("report", "sessions")  # ingests the transcripts
    ledger = sqlite3.connect(machine.data / "ledger.db")
    session_id, agent_id, agent_type = ledger.execute(
        "SELECT session_id, agent_id, agent_type FROM agents WHERE agent_id != 'main' ORDER BY 1, 2").fetchone()
    with ledger:
        _save(ledger, "toolu_sv_main", 400, 5_000, (session_id, "main"))
        _save(ledger, "toolu_sv_sub", 300, 2_300, (session_id, agent_id))
        _save(ledger, "toolu_sv_none", 900, 700, (session_id, "main"))  # nothing avoided
        _save(ledger, "toolu_sv_lost", 100, 1_100, None, ts="2026-01-01T00:00:00.000Z")  # its hook never came
        _save(ledger, "toolu_sv_late", 200, 1_200, None)  # its hook has not run yet: held back
    with otlp_receiver() as receiver:
        first = machine.json("export", "otlp", "--endpoint", receiver.url)
        assert first["savings"] == 4
        points = receiver.points("thrifty.tokens.avoided")
        assert receiver.total("thrifty.tokens.avoided") == 4_600 + 2_000 + 1_000
        by_attrs = {tuple(sorted(a.items())): v for a, v, _ in points}
        assert by_attrs == {
            (("agent.type", "main"), ("session.id", session_id), ("tool.name", READ_MANY)): 4_600,
            (("agent.type", agent_type), ("session.id", session_id), ("tool.name", READ_MANY)): 2_000,
            (("tool.name", "read_many"),): 1_000}
        assert all(m.sum.is_monotonic and m.sum.aggregation_temporality == 1 for _, _, m in points)

        sent = len(receiver.requests)
        second = machine.json("export", "otlp", "--endpoint", receiver.url)
        assert second["batches"] == 0 and len(receiver.requests) == sent  # the held-back row still waits

        with ledger:
            ledger.execute("INSERT INTO tool_events (tool_use_id, session_id, agent_id, tool_name, kind) "
                           "VALUES ('toolu_sv_late', ?, 'main', ?, 'thrifty')", (session_id, READ_MANY))
        third = machine.json("export", "otlp", "--endpoint", receiver.url)
        [(attrs, value, _)] = receiver.points("thrifty.tokens.avoided", start=sent)
        assert third["savings"] == 1 and value == 1_000
        assert attrs == {"session.id": session_id, "agent.type": "main", "tool.name": READ_MANY}
        ledger_total = ledger.execute("SELECT SUM(MAX(tokens_native - tokens_returned, 0)) FROM savings").fetchone()
        assert receiver.total("thrifty.tokens.avoided") == ledger_total[0] == 8_600
        sent = len(receiver.requests)
        fourth = machine.run("export", "otlp", "--endpoint", receiver.url)
        assert "nothing new" in fourth.stdout and receiver.points("thrifty.tokens.avoided", start=sent) == []
    ledger.close()


def test_a_refused_export_marks_nothing_and_is_sent_once_later(machine: Machine) -> None:
    with otlp_receiver() as receiver:
        machine.json("export", "otlp", "--endpoint", receiver.url)
        sent = len(receiver.requests)
        machine.sessions(range(81, 82), turns=3)
        receiver.status = 400
        failed = machine.run("export", "otlp", "--endpoint", receiver.url, "--timeout", "5")
        assert failed.returncode == 1 and "Traceback" not in failed.stderr
        assert "did not accept" in failed.stderr and "nothing was marked as sent" in failed.stderr
        receiver.status = 200
        again = machine.json("export", "otlp", "--endpoint", receiver.url)
        totals = machine.json("report", "sessions")["totals"]
        all_types = receiver.by("thrifty.token.usage", "type")
        assert all_types == {kind: totals[field] for kind, field in TYPES.items()}
        assert again["turns"] > 0 and len(receiver.requests) == sent + again["batches"]


def test_a_bad_endpoint_gets_a_clear_message(machine: Machine) -> None:
    result = machine.run("export", "otlp", "--endpoint", "collector:4318")
    assert result.returncode == 2 and "not an http(s) URL" in result.stderr
    missing = machine.run("export", "otlp")
    assert missing.returncode == 2 and "--endpoint" in missing.stderr
