"""Both ledgers (hook-fed, and rebuilt from the transcripts) equal the API's own numbers, to the token."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import E2E, Script, Usage, reply, tool_use
from harness.ledger import expected, hook_fed, rebuilt, tokens


def _assert_session_exact(e2e: E2E, tmp_path: Path, session_id: str, truth: Usage, cost: float) -> None:
    for name, ledger in (("hook-fed", hook_fed(e2e.home)), ("rebuilt", rebuilt(e2e.home, tmp_path / "rebuilt"))):
        sessions = ledger.report("sessions", session_id)
        assert tokens(sessions.totals) == expected(truth), name
        assert sessions.totals.cost_usd == pytest.approx(cost, rel=1e-3), name


def test_an_api_without_the_ttl_split_still_counts_every_cache_write(e2e: E2E, tmp_path: Path) -> None:
    api = e2e.serve(Script.of(
        reply(tool_use("Bash", command="true"), usage=Usage(3, 40, cache_read=2000, cache_write_5m=24000, split=False)),
        reply("Done.", usage=Usage(5, 12, cache_read=26000, cache_write_5m=300, split=False)),
    ))
    run = e2e.run("Run true.", allowed_tools=["Bash"])
    usages = [r["message"]["usage"] for r in run.records() if r.get("type") == "assistant"]
    # What Claude Code writes when the API sends no split: a zero split next to the real total.
    assert usages and all(u["cache_creation"] == {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
                          for u in usages)
    assert {u["cache_creation_input_tokens"] for u in usages} == {24000, 300}
    _assert_session_exact(e2e, tmp_path, run.session_id, api.usage(), run.total_cost_usd)


def test_one_hour_cache_writes_are_priced_as_such(e2e: E2E, tmp_path: Path) -> None:
    api = e2e.serve(Script.of(
        reply(tool_use("Bash", command="true"), usage=Usage(3, 40, cache_write_1h=20000)),
        reply("Done.", usage=Usage(5, 12, cache_read=20000, cache_write_5m=100, cache_write_1h=700)),
    ))
    run = e2e.run("Run true.", allowed_tools=["Bash"])
    _assert_session_exact(e2e, tmp_path, run.session_id, api.usage(), run.total_cost_usd)
