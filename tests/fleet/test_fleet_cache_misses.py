"""Cache misses found in generated transcripts: each cause, its price, no false alarms, and the report view."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from fleet_helpers import PRICES, start_today

from fixtures_gen.synth import Response, Session, Transcript, dumps, realistic_session
from thrifty.cli import cli
from thrifty.paths import transcripts_dir

MODEL = "claude-sonnet-4-6"


def warm(transcript: Transcript, turns: int = 3) -> Response:
    """A few ordinary turns: every request reads what the one before cached."""
    transcript.user()
    response = transcript.respond(MODEL)
    for _ in range(turns):
        response = transcript.respond(MODEL, tools=("Read",))
        transcript.tool_results(response, [12_000])
    return response


def expire(transcript: Transcript, minutes: float = 0.0) -> None:
    """Let the cache go: time passes and nothing of the context is cached for the next request."""
    transcript.clock += timedelta(minutes=minutes)
    transcript.cached = 0


def misses() -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["report", "cache-misses", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["cache_misses"]


def expected_extra(before: Response, after: Response, write_rate: float) -> float:
    prefix = before.cache_read_tokens + before.cache_creation_tokens
    rewritten = min(after.cache_creation_tokens, prefix - after.cache_read_tokens)
    return rewritten * (write_rate - PRICES[MODEL][4]) / 1e6


def test_an_idle_gap_past_five_minutes_is_a_priced_cache_miss() -> None:
    session = Session(transcripts_dir(), "/home/dev/idle", seed=41, start=start_today())
    before = warm(session.main)
    expire(session.main, minutes=7)
    after = session.main.respond(MODEL)
    session.save()
    [miss] = misses()
    assert miss["cause"] == "idle" and miss["agent_id"] == "main" and miss["session_id"] == session.session_id
    assert str(miss["detail"]).startswith("idle 7m") and "5m00s cache lifetime" in str(miss["detail"])
    assert miss["rewritten_tokens"] == before.cache_read_tokens + before.cache_creation_tokens
    assert miss["extra_cost_usd"] == pytest.approx(expected_extra(before, after, PRICES[MODEL][2]))


def test_a_model_switch_a_compaction_and_a_changed_prefix_are_told_apart() -> None:
    session = Session(transcripts_dir(), "/home/dev/causes", seed=42, start=start_today())
    main = session.main
    warm(main)
    expire(main)
    main.respond("claude-opus-4-8")  # a switch: the new model has nothing cached
    warm(main, 2)
    main.raw(dumps({"type": "system", "subtype": "compact_boundary", "content": "Conversation compacted",
                    "isSidechain": False, "timestamp": "2026-11-20T09:00:00.000Z",
                    "compactMetadata": {"trigger": "manual", "preTokens": 50_000}}))
    expire(main)
    main.respond(MODEL)  # same size, but a compaction record sits before it
    warm(main, 2)
    expire(main, minutes=1)
    main.respond(MODEL)  # nothing explains it: the prefix changed
    session.save()
    causes = [m["cause"] for m in reversed(misses())]
    assert causes == ["model_switch", "compaction", "prefix_changed"]


def test_a_one_hour_cache_is_not_a_miss_after_seven_idle_minutes_but_is_after_an_hour() -> None:
    session = Session(transcripts_dir(), "/home/dev/hour", seed=43, start=start_today(), cache_ttl="1h")
    warm(session.main)
    expire(session.main, minutes=7)
    session.main.respond(MODEL)
    warm(session.main, 2)
    expire(session.main, minutes=61)
    session.main.respond(MODEL)
    session.save()
    found = misses()
    assert [m["cause"] for m in found] == ["idle", "prefix_changed"]
    assert "1h00m cache lifetime" in str(found[0]["detail"])


def test_ordinary_sessions_with_subagents_have_no_cache_misses() -> None:
    for seed in (44, 45, 46):
        realistic_session(transcripts_dir(), seed=seed, turns=25, subagents=3, extras=False, start=start_today())
    assert misses() == []


def test_the_report_table_lists_misses_by_cause_with_their_cost() -> None:
    session = Session(transcripts_dir(), "/home/dev/table", seed=47, start=start_today())
    warm(session.main)
    expire(session.main, minutes=9)
    session.main.respond(MODEL)
    session.save()
    result = CliRunner().invoke(cli, ["report", "cache-misses"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "1 cache miss in" in result.output and "idle 9m" in result.output
    assert session.session_id[:8] in result.output
