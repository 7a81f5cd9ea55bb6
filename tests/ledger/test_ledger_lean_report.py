"""The lean `report sessions --json` path: the same document as the pydantic schema, without importing pydantic; and
long-context sums (summed apart from the plain ones) that price every request as it would be priced alone."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ledger_helpers import report, report_json

from fixtures_gen.hooks import hook_env
from fixtures_gen.transcripts import realistic_session
from thrifty.ledger.db import connect
from thrifty.ledger.pricing import TokenSums, cost
from thrifty.ledger.queries import Filters, daily_totals, sessions
from thrifty.paths import ledger_path
from thrifty.report.lean import sessions_document
from thrifty.report.models import SessionsReport


def _keys_in_order(value: object) -> object:
    """The document's structure with every dict as a list of (key, value) pairs, so key order counts too."""
    if isinstance(value, dict):
        return [(key, _keys_in_order(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_keys_in_order(item) for item in value]
    return value


def test_the_lean_sessions_document_is_exactly_the_models_dump(projects: Path) -> None:
    for seed in (3, 4):
        realistic_session(projects, seed=seed, turns=12, subagents=1,
                          start=datetime(2026, 11, 10 + seed, 9, 0, tzinfo=UTC))
    report("sessions")  # ingest
    conn = connect(ledger_path())
    document = sessions_document(conn, Filters())
    conn.close()
    dumped = SessionsReport.model_validate(document).model_dump(mode="json")
    assert _keys_in_order(dumped) == _keys_in_order(document)
    assert len(dumped["sessions"]) == 2


def test_the_cli_json_parses_to_the_same_document_as_the_model_dump(projects: Path) -> None:
    realistic_session(projects, seed=9, turns=8)
    printed = report_json("sessions")
    conn = connect(ledger_path())
    model_json = SessionsReport.model_validate(sessions_document(conn, Filters())).model_dump_json(indent=2)
    conn.close()
    assert _keys_in_order(printed) == _keys_in_order(json.loads(model_json))


def _thrifty(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m thrifty ARGS` as the launcher runs it, printing to stderr the heavy modules it imported."""
    probe = (f"import sys, runpy; sys.argv = ['thrifty', *{list(args)!r}]\n"
             "try:\n    runpy.run_module('thrifty', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'rich', 'mcp', 'click'}),"
             " file=sys.stderr)")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=hook_env(),
                          timeout=120, check=False)


def test_report_sessions_json_imports_neither_click_nor_pydantic_and_prints_what_the_click_path_prints(
    projects: Path
) -> None:
    realistic_session(projects, seed=2, turns=4)
    for args in (("report", "sessions", "--json"), ("report", "-j")):
        done = _thrifty(*args)
        assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
        assert done.stdout == report("sessions", "--json").stdout
        assert json.loads(done.stdout)["sessions"]


def test_any_other_form_or_a_failure_goes_to_the_full_cli(projects: Path) -> None:
    realistic_session(projects, seed=2, turns=4)
    assert "'click'" in _thrifty("report", "daily", "--json").stderr
    ledger_path().parent.mkdir(parents=True, exist_ok=True)
    ledger_path().write_bytes(b"not a database" * 100)
    done = _thrifty("report", "--json")
    assert "Move the file aside and run again" in done.stderr and done.stdout == ""


LONG_CONTEXT_TURNS = [  # (session, model, input, output, 5m write, 1h write, read): short and long prompts mixed
    ("s1", "claude-sonnet-4-5-20250929", 300_000, 2_000, 0, 0, 0),
    ("s1", "claude-sonnet-4-5-20250929", 1_000, 250_000, 0, 0, 210_000),
    ("s1", "claude-sonnet-4-5-20250929", 3_000, 500, 1_000, 0, 50_000),
    ("s1", "claude-haiku-5-5", 20_000, 100, 0, 0, 90_000),
    ("s1", "claude-haiku-5-5", 2_000, 100, 0, 0, 90_000),
    ("s2", "claude-haiku-5-5", 80_000, 100, 30_000, 0, 0),
    ("s2", "claude-opus-4-8", 500_000, 100, 0, 0, 0),
    ("s2", "claude-opus-4-8", 10, 10, 0, 0, 10),
]


def test_long_context_requests_are_priced_as_each_request_alone(tmp_path: Path) -> None:
    conn = connect(tmp_path / "ledger.db")
    conn.execute("INSERT INTO files (id, path, session_id, project, agent_id) VALUES (1, 'f', 's', 'p', 'main')")
    for n, (session, model, *tokens) in enumerate(LONG_CONTEXT_TURNS):
        conn.execute(
            """INSERT INTO turns (message_id, session_id, project, agent_id, file_id, line_offset, ts, model,
                   input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens)
               VALUES (?, ?, 'p', 'main', 1, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (f"m{n}", session, n, f"2026-11-20T10:00:{n:02d}.000Z", model, *tokens))
    alone: dict[str, float] = {}
    for session, model, *tokens in LONG_CONTEXT_TURNS:
        price = cost(model, None, TokenSums.of_request((tokens[0], tokens[1], tokens[2], tokens[3], tokens[4])))
        alone[session] = alone.get(session, 0.0) + (price or 0.0)
    by_session = sessions(conn)
    assert {key[0]: usage.cost_usd for key, usage in by_session.items()} == {
        session: pytest.approx(total, rel=1e-12) for session, total in alone.items()}
    day = daily_totals(conn)
    assert sum(u.cost_usd or 0 for u in day.values()) == pytest.approx(sum(alone.values()), rel=1e-12)
    at_base_rates = sum(cost(model, None, TokenSums(tuple(tokens))) or 0.0  # type: ignore[arg-type]
                        for session, model, *tokens in LONG_CONTEXT_TURNS if session == "s1")
    assert alone["s1"] > 1.1 * at_base_rates  # the tiers do reprice these requests
