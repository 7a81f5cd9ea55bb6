"""`thrifty export otlp` through the real OpenTelemetry SDK and OTLP/HTTP exporter to a local receiver: the token
counters decode to the ledger's totals, a second export sends nothing, later changes are sent once, and a refused
export is repeated whole."""

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
        assert receiver.points("thrifty.tokens.avoided") == []  # no savings recorded in the ledger yet
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
