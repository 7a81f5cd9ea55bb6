"""Cache misses: turns whose cache reads collapsed while their cache writes jumped, with a likely cause and a price.

Found in the ledger's turns, per transcript file (one session+agent), comparing each turn B with the turn A before:
`prefix` = A's cache reads + writes (what A left in the cache); B is a miss when prefix >= MIN_PREFIX_TOKENS, B read
less than half of it and wrote at least MIN_WRITE_TOKENS. `rewritten` = min(B's writes, prefix - B's reads): tokens
B paid to write that it could have read. `extra_cost_usd` = rewritten x (B's write rate - its read rate), for B's
model, speed and 5m/1h split (long-context tiers are ignored: an estimate). Cause, the first that applies:
- `compaction`: a `compact_boundary` system record between A and B (read from the transcript for misses only), or
  B's prompt is under half of A's (the context was cut);
- `model_switch`: A and B used different models (each model has its own cache);
- `idle`: B came more than the cache lifetime after A: 5 minutes, or 1 hour when A or B wrote 1-hour cache. B's
  timestamp is when its response was written, so the gap includes B's own generation time;
- `prefix_changed`: none of these; tool definitions (a server or deferred tool loaded), the system prompt or an
  earlier message changed.
Derived at read time from the recorded turns, so it stays right when ingestion replaces a streaming copy.
Standard library only.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from thrifty.ledger.pricing import multiplier, price_for
from thrifty.ledger.queries import Filters

MIN_PREFIX_TOKENS = 4_096  # below this little was cached: a collapse is noise
MIN_WRITE_TOKENS = 1_024  # the smallest cacheable prompt of the Claude models
TTL_5M_S, TTL_1H_S = 300, 3_600
COMPACT_MARKER = b'"compact_boundary"'
_PEEK_LIMIT = 16 << 20  # bytes of transcript read between two turns when looking for a compaction

CAUSES = {
    "compaction": "compaction (context cut)",
    "model_switch": "model switch",
    "idle": "idle past the cache lifetime",
    "prefix_changed": "prefix changed (tools, system prompt or history)",
}


class CacheMiss:
    """One turn that rewrote its cached prefix."""

    __slots__ = ("session_id", "project", "agent_id", "ts", "model", "previous_model", "gap_seconds", "ttl_seconds",
                 "cause", "cache_read_tokens", "cache_write_tokens", "previous_cached_tokens", "rewritten_tokens",
                 "extra_cost_usd")

    def __init__(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self, name, value)

    @property
    def detail(self) -> str:
        """'idle 7m05s > 5m cache lifetime', 'model switch claude-opus-4-8 -> claude-haiku-4-5', ..."""
        if self.cause == "idle":
            return f"idle {duration(self.gap_seconds)} > {duration(self.ttl_seconds)} cache lifetime"
        if self.cause == "model_switch":
            return f"model switch {self.previous_model} -> {self.model}"
        return CAUSES[str(self.cause)]

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {"detail": self.detail}


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"


_SQL = """
WITH seq AS (
    SELECT t.session_id, t.project, t.agent_id, t.file_id, t.line_offset, t.ts, t.model, t.speed,
           t.input_tokens, t.cache_write_5m_tokens, t.cache_write_1h_tokens, t.cache_read_tokens,
           LAG(t.ts) OVER w AS prev_ts,
           LAG(t.model) OVER w AS prev_model,
           LAG(t.cache_read_tokens + t.cache_write_5m_tokens + t.cache_write_1h_tokens) OVER w AS prev_cached,
           LAG(t.input_tokens + t.cache_read_tokens + t.cache_write_5m_tokens + t.cache_write_1h_tokens) OVER w
               AS prev_prompt,
           LAG(t.cache_write_1h_tokens) OVER w AS prev_1h,
           LAG(t.line_offset) OVER w AS prev_offset
    FROM turns t{where}
    WINDOW w AS (PARTITION BY t.file_id ORDER BY t.line_offset)
)
SELECT s.session_id, s.project, s.agent_id, s.ts, s.model, s.speed, s.input_tokens, s.cache_write_5m_tokens,
       s.cache_write_1h_tokens, s.cache_read_tokens, s.prev_ts, s.prev_model, s.prev_cached, s.prev_prompt, s.prev_1h,
       s.prev_offset, s.line_offset, f.path
FROM seq s JOIN files f ON f.id = s.file_id
WHERE s.prev_cached >= ? AND s.cache_read_tokens * 2 < s.prev_cached
  AND s.cache_write_5m_tokens + s.cache_write_1h_tokens >= ?
ORDER BY s.ts DESC"""


def find(conn: sqlite3.Connection, filters: Filters | None = None, limit: int | None = None) -> list[CacheMiss]:
    """Cache misses among the turns `filters` selects, newest first (a turn whose previous turn falls outside
    `filters` is not judged)."""
    where, params = (filters or Filters()).sql("t")
    sql = _SQL.format(where=where) + (" LIMIT ?" if limit is not None else "")
    args = [*params, MIN_PREFIX_TOKENS, MIN_WRITE_TOKENS] + ([limit] if limit is not None else [])
    return [_miss(row) for row in conn.execute(sql, args)]


def _miss(row: tuple[Any, ...]) -> CacheMiss:
    (session_id, project, agent_id, ts, model, speed, input_tokens, write_5m, write_1h, read, prev_ts, prev_model,
     prev_cached, prev_prompt, prev_1h, prev_offset, offset, path) = row
    writes = write_5m + write_1h
    rewritten = max(0, min(writes, prev_cached - read))
    ttl = TTL_1H_S if (prev_1h or write_1h) else TTL_5M_S
    gap = _seconds(prev_ts, ts)
    if (input_tokens + writes + read) * 2 < prev_prompt or _compaction_between(path, prev_offset, offset):
        cause = "compaction"
    elif prev_model != model:
        cause = "model_switch"
    elif gap > ttl:
        cause = "idle"
    else:
        cause = "prefix_changed"
    return CacheMiss(
        session_id=session_id, project=project, agent_id=agent_id, ts=ts, model=model, previous_model=prev_model,
        gap_seconds=gap, ttl_seconds=ttl, cause=cause, cache_read_tokens=read, cache_write_tokens=writes,
        previous_cached_tokens=prev_cached, rewritten_tokens=rewritten,
        extra_cost_usd=_extra_cost(model, speed, rewritten, write_5m, write_1h),
    )


def _seconds(earlier: str, later: str) -> float:
    try:
        return (datetime.fromisoformat(later.replace("Z", "+00:00"))
                - datetime.fromisoformat(earlier.replace("Z", "+00:00"))).total_seconds()
    except ValueError:
        return 0.0


def _compaction_between(path: str, start: int, end: int) -> bool:
    if end <= start:
        return False
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            return COMPACT_MARKER in fh.read(min(end - start, _PEEK_LIMIT))
    except OSError:
        return False  # transcript gone (retention): fall back on the prompt-size test


def _extra_cost(model: str | None, speed: str | None, rewritten: int, write_5m: int, write_1h: int) -> float | None:
    price = price_for(model)
    if price is None or model is None:
        return None
    _, _, rate_5m, rate_1h, rate_read = price.rates()
    writes = write_5m + write_1h
    write_rate = (rate_5m * write_5m + rate_1h * write_1h) / writes if writes else rate_5m
    return rewritten * (write_rate - rate_read) * multiplier(model, speed)
