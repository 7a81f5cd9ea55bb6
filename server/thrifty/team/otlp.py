"""`thrifty export otlp`: the ledger's new facts as OTLP/HTTP metrics, made and sent by the OpenTelemetry SDK.

Metrics (delta counters, as Claude Code exports its own by default):
- `thrifty.token.usage` (tokens), attribute `type` = input | output | cacheRead | cacheCreation, as Claude Code's
  `claude_code.token.usage`;
- `thrifty.cost.usage` (USD), priced with the ledger's prices;
- `thrifty.tokens.avoided` (tokens), per thrifty tool call recorded in `savings`: max(tokens_native - tokens_returned,
  0), as `thrifty report savings` counts it, attributes `session.id`, `agent.type` and `tool.name` (see
  `avoided_rows` for a call whose session is not known yet);
- `thrifty.budget.refusals` (calls refused by PreToolUse), attributes `tool.name` and `reason` (budget | loop).
Token and cost points carry `session.id`, `model` and `agent.type` (`main` or the subagent's type), so a
collector joins them with Claude Code's telemetry on `session.id`.

Incremental: each run sends the turns, token changes, savings rows and refusals above the target's marks (all read
in one snapshot), and moves the marks only after the collector accepted the batch, so nothing is sent twice and a
failed run is repeated whole.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from thrifty.ledger.pricing import TokenSums, cost
from thrifty.ledger.transaction import transaction
from thrifty.team.deps import require
from thrifty.team.marks import Marks, current_marks, read_marks, write_marks

BATCH_KEYS = 1_000  # attribute sets per batch, under the SDK's default cardinality limit of 2,000 per instrument
TIMEOUT_S = 10
TOKEN_TYPES = ("input", "output", "cacheCreation", "cacheRead")
UNKNOWN_SESSION_WAIT = "-15 minutes"  # SQLite datetime modifier: how long a savings row waits for its session

Key = tuple[tuple[str, str], ...]


class ExportError(Exception):
    """The collector refused or could not be reached; nothing was marked as sent."""


@dataclass
class ExportResult:
    turns: int = 0
    token_changes: int = 0
    refusals: int = 0
    savings: int = 0
    batches: int = 0


@dataclass
class _Batch:
    tokens: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    cost: dict[Key, float] = field(default_factory=lambda: defaultdict(float))
    avoided: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    refusals: dict[Key, int] = field(default_factory=lambda: defaultdict(int))

    def size(self) -> int:
        return max(len(self.tokens), len(self.cost), len(self.refusals), len(self.avoided))


def metrics_url(endpoint: str) -> str:
    base = endpoint.strip().rstrip("/")
    return base if base.endswith("/v1/metrics") else base + "/v1/metrics"


def target_of(endpoint: str) -> str:
    return "otlp:" + metrics_url(endpoint)


Tokens = tuple[int, int, int, int, int]  # input, output, 5m write, 1h write, cache read


def _five(values: Any) -> Tokens:
    a, b, c, d, e = (int(v) for v in values)
    return a, b, c, d, e


def _add_turn(batch: _Batch, session_id: str, model: str | None, speed: str | None, agent_type: str,
              tokens: Tokens, price_tokens: Tokens | None) -> None:
    """Add one turn's tokens (or one change's deltas, priced as `cost(new) - cost(old)` via `price_tokens`)."""
    base = (("session.id", session_id), ("model", model or "unknown"), ("agent.type", agent_type))
    input_, output, write_5m, write_1h, read = tokens
    for kind, count in zip(TOKEN_TYPES, (input_, output, write_5m + write_1h, read), strict=True):
        if count:
            batch.tokens[(*base, ("type", kind))] += count
    if price_tokens is None:
        usd = cost(model, speed, TokenSums.of_request(tokens))
    else:
        old = _five(n - d for n, d in zip(price_tokens, tokens, strict=True))
        new_usd, old_usd = (cost(model, speed, TokenSums.of_request(t)) for t in (price_tokens, old))
        usd = None if new_usd is None or old_usd is None else new_usd - old_usd
    if usd:
        batch.cost[base] += usd


def avoided_rows(savings: list[Any], agent_type: Callable[[str, str], str]) -> Iterator[tuple[int, Key, int]]:
    """(savings rowid, attributes, tokens avoided) per thrifty tool call, from `_snapshot`'s savings rows.

    A call's session and agent come from its PostToolUse `tool_events` row, or failing that the transcript's
    `tool_calls` row (as in `thrifty report savings`); `tool.name` is the name Claude Code called it by. The MCP
    server writes the savings row as it answers, before the async hook, so a row whose session is not known yet is
    held back, and the rows after it with it (the mark is one rowid), until the session lands or the row is
    `UNKNOWN_SESSION_WAIT` old; then it is sent with `tool.name` alone, thrifty's own name for the tool (e.g.
    `read_many`), as its hook was cut short and its transcript never ingested, so the counter's total still matches
    the ledger's.
    """
    for rowid, session_id, agent_id, tool_name, avoided, _waited in savings:
        if session_id is None:
            yield rowid, (("tool.name", tool_name),), avoided
        else:
            yield rowid, (("session.id", session_id), ("agent.type", agent_type(session_id, agent_id)),
                          ("tool.name", tool_name)), avoided


def _sendable(rows: list[Any]) -> list[Any]:
    """The savings rows up to (not including) the first whose session is unknown and that may still learn it."""
    for index, row in enumerate(rows):
        if row[1] is None and not row[5]:
            return rows[:index]
    return rows


@dataclass
class _Snapshot:
    """Everything one export sends, read in one read transaction: the marks, turns, changes, savings and refusals
    agree."""

    top: Marks
    turns: list[Any]
    changes: list[Any]
    savings: list[Any]
    refusals: list[Any]
    agent_types: dict[tuple[str, str], str | None]


def _snapshot(ledger: sqlite3.Connection, start: Marks) -> _Snapshot:
    ledger.execute("BEGIN")  # a WAL read snapshot: hooks keep writing, this export sees one consistent state
    try:
        top = current_marks(ledger)
        turns = ledger.execute(
            """SELECT id, session_id, agent_id, model, speed, input_tokens, output_tokens, cache_write_5m_tokens,
                      cache_write_1h_tokens, cache_read_tokens FROM turns WHERE id > ? AND id <= ? ORDER BY id""",
            (start.turns_id, top.turns_id)).fetchall()
        changes = ledger.execute(
            """SELECT c.turn_id, t.session_id, t.agent_id, t.model, t.speed, c.input_tokens, c.output_tokens,
                      c.cache_write_5m_tokens, c.cache_write_1h_tokens, c.cache_read_tokens, t.input_tokens,
                      t.output_tokens, t.cache_write_5m_tokens, t.cache_write_1h_tokens, t.cache_read_tokens
               FROM turn_changes c JOIN turns t ON t.id = c.turn_id
               WHERE c.seq > ? AND c.turn_id <= ? ORDER BY c.seq""",
            (start.changes_seq, start.turns_id)).fetchall()
        savings = _sendable(ledger.execute(
            """SELECT s.rowid, COALESCE(e.session_id, c.session_id), COALESCE(e.agent_id, c.agent_id),
                      COALESCE(e.tool_name, c.name, s.tool), MAX(s.tokens_native - s.tokens_returned, 0),
                      s.ts < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)
               FROM savings s LEFT JOIN tool_events e ON e.tool_use_id = s.tool_use_id
                    LEFT JOIN tool_calls c ON c.tool_use_id = s.tool_use_id
               WHERE s.rowid > ? AND s.rowid <= ? ORDER BY s.rowid""",
            (UNKNOWN_SESSION_WAIT, start.savings_id, top.savings_id)).fetchall())
        top = replace(top, savings_id=savings[-1][0] if savings else start.savings_id)
        refusals = ledger.execute(
            "SELECT session_id, agent_id, tool_name, reason FROM refusals WHERE id > ? ORDER BY id",
            (start.refusals_id,)).fetchall()
        agent_types = {(s, a): t for s, a, t in ledger.execute("SELECT session_id, agent_id, agent_type FROM agents")}
    finally:
        ledger.execute("COMMIT")
    return _Snapshot(top, turns, changes, savings, refusals, agent_types)


def _batches(snap: _Snapshot, start: Marks, result: ExportResult) -> Iterator[tuple[_Batch, Marks]]:
    """Batches of points, each with the marks that are safe to store once it was accepted."""
    batch, marks, top = _Batch(), start, snap.top

    def agent_type(session_id: str, agent_id: str) -> str:
        return "main" if agent_id == "main" else snap.agent_types.get((session_id, agent_id)) or "subagent"

    for row in snap.turns:
        _add_turn(batch, row[1], row[3], row[4], agent_type(row[1], row[2]), _five(row[5:10]), None)
        result.turns += 1
        marks = replace(marks, turns_id=row[0])
        if batch.size() >= BATCH_KEYS:
            yield batch, marks
            batch = _Batch()
    # A change is priced as cost(tokens after it) - cost(tokens before it); with several changes of one turn, the
    # tokens after each are the current ones minus the later changes, so walk them newest first.
    after: dict[int, Tokens] = {}
    for row in reversed(snap.changes):
        turn_id, deltas = row[0], _five(row[5:10])
        current = after.get(turn_id, _five(row[10:15]))
        _add_turn(batch, row[1], row[3], row[4], agent_type(row[1], row[2]), deltas, current)
        after[turn_id] = _five(c - d for c, d in zip(current, deltas, strict=True))
        result.token_changes += 1
    marks = replace(marks, turns_id=top.turns_id, changes_seq=top.changes_seq)
    for rowid, key, tokens in avoided_rows(snap.savings, agent_type):
        batch.avoided[key] += tokens
        result.savings += 1
        marks = replace(marks, savings_id=rowid)
        if batch.size() >= BATCH_KEYS:
            yield batch, marks
            batch = _Batch()
    for session_id, agent_id, tool_name, reason in snap.refusals:
        batch.refusals[(("session.id", session_id), ("agent.type", agent_type(session_id, agent_id)),
                        ("tool.name", tool_name), ("reason", reason))] += 1
        result.refusals += 1
    yield batch, replace(marks, savings_id=top.savings_id, refusals_id=top.refusals_id)


def export(ledger: sqlite3.Connection, endpoint: str, timeout_s: float = TIMEOUT_S) -> ExportResult:
    """Send everything above the endpoint's marks; raises ExportError when the collector does not accept it."""
    target = target_of(endpoint)
    start = read_marks(ledger, target)
    snap = _snapshot(ledger, start)
    result = ExportResult()
    if not (snap.turns or snap.changes or snap.savings or snap.refusals):
        return result  # nothing new: no request at all
    sdk = _Sdk(endpoint, timeout_s)
    try:
        for batch, marks in _batches(snap, start, result):
            sdk.send(batch)
            result.batches += 1
            with transaction(ledger):
                write_marks(ledger, target, marks)
    finally:
        sdk.close()
    return result


class _Sdk:
    """A meter provider whose in-memory reader is collected per batch (delta temporality, so each collection holds
    only that batch) and whose data is sent by the OTLP/HTTP exporter, whose verdict decides the marks."""

    def __init__(self, endpoint: str, timeout_s: float) -> None:
        metrics = require("opentelemetry.sdk.metrics", "thrifty export otlp")
        export_mod = require("opentelemetry.sdk.metrics.export", "thrifty export otlp")
        resources = require("opentelemetry.sdk.resources", "thrifty export otlp")
        exporter_mod = require("opentelemetry.exporter.otlp.proto.http.metric_exporter", "thrifty export otlp")
        from thrifty import __version__

        delta = export_mod.AggregationTemporality.DELTA
        self._result_ok = export_mod.MetricExportResult.SUCCESS
        self._reader = export_mod.InMemoryMetricReader(preferred_temporality={metrics.Counter: delta})
        resource = resources.Resource.create({"service.name": "thrifty", "service.version": __version__})
        self._provider = metrics.MeterProvider(resource=resource, metric_readers=[self._reader])
        meter = self._provider.get_meter("thrifty", __version__)
        self._counters = {
            "tokens": meter.create_counter("thrifty.token.usage", unit="tokens",
                                           description="Tokens used, by type (input, output, cacheRead, "
                                                       "cacheCreation)"),
            "cost": meter.create_counter("thrifty.cost.usage", unit="USD", description="Cost at list prices"),
            "avoided": meter.create_counter("thrifty.tokens.avoided", unit="tokens",
                                            description="Tokens thrifty kept out of the context"),
            "refusals": meter.create_counter("thrifty.budget.refusals", unit="{call}",
                                             description="Tool calls refused by budgets or the loop guard"),
        }
        self._url = metrics_url(endpoint)
        self._exporter = exporter_mod.OTLPMetricExporter(endpoint=self._url, timeout=timeout_s)

    def send(self, batch: _Batch) -> None:
        for name in ("tokens", "cost", "avoided", "refusals"):
            for key, value in getattr(batch, name).items():
                if value:
                    self._counters[name].add(value, dict(key))
        data = self._reader.get_metrics_data()
        if data is None or not data.resource_metrics:
            return
        if self._exporter.export(data) != self._result_ok:
            raise ExportError(f"the OTLP collector at {self._url} did not accept the metrics (see the message "
                              "above, or check the endpoint: the OTLP/HTTP port is usually 4318); nothing was "
                              "marked as sent")

    def close(self) -> None:
        self._exporter.shutdown()
        self._provider.shutdown()
