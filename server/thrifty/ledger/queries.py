"""Aggregate queries over the ledger, priced at read time; standard library only (hooks, budgets and watch use them).

Every figure is summed in SQL per (group, model, speed) with the sums long-context pricing needs, then priced in
Python (`pricing.cost`) and folded into one `Usage` per group. Dates are local calendar days; `since`/`until` are
turned into UTC bounds on `turns.ts` so the index serves them.

Tool attribution ("how many tokens a tool's results brought in"): a tool's results reach the model as part of the
next request in the same transcript file, so the result tokens of the calls made in turn T are
`max(0, prompt(T+1) - prompt(T) - output(T))`, where prompt = input + cache writes + cache reads: the growth of the
context between the two requests, minus what the model itself wrote, measured by the API's own token counts.
When a turn made several calls the growth is shared equally between them. The last turn of a file has no growth.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from thrifty.ledger import rollup
from thrifty.ledger.pricing import FIELD_TIER_TOKENS, PROMPT_TIER_TOKENS, TokenSums, cost, price_for

_FIELDS = ("input_tokens", "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens")
_PROMPT = "(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens)"
_PLAIN_SUMS = [f"SUM({f})" for f in _FIELDS]
_FIELD_TIER_SUMS = [f"SUM(MAX({f} - {FIELD_TIER_TOKENS}, 0))" for f in _FIELDS]
_PROMPT_TIER_SUMS = [f"SUM(CASE WHEN {_PROMPT} > {PROMPT_TIER_TOKENS} THEN {f} ELSE 0 END)" for f in _FIELDS]
_TAIL = ["COUNT(*)", "MIN(ts)", "MAX(ts)"]
TOKEN_SUMS_SQL = ", ".join(_PLAIN_SUMS + _FIELD_TIER_SUMS + _PROMPT_TIER_SUMS + _TAIL)


def token_sums_sql(field_tier: bool = True, prompt_tier: bool = True) -> str:
    """The 18 aggregate columns `Usage.add` reads; tier sums a query does not need are constant zeros (cheaper)."""
    return ", ".join(_PLAIN_SUMS + (_FIELD_TIER_SUMS if field_tier else ["0"] * 5)
                     + (_PROMPT_TIER_SUMS if prompt_tier else ["0"] * 5) + _TAIL)


NO_MODEL = "(no model)"


SqlRow = Sequence[Any]  # a sqlite3 row: its values are typed by the query that selects them, not by the driver
GroupKey = tuple[str | None, ...]  # the values of the `group` columns of `usage_by` (TEXT; model may be NULL)


def _five(values: SqlRow) -> tuple[int, int, int, int, int]:
    """Five token counts (NULL sums as 0)."""
    a, b, c, d, e = (int(v or 0) for v in values)
    return a, b, c, d, e


class Usage:
    """Tokens, turns and cost of a group of turns. `cost_usd` is None when none of its models has a price;
    `unpriced_models` lists the models whose tokens are not in `cost_usd`."""

    __slots__ = ("input_tokens", "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
                 "cache_read_tokens", "turns", "priced_cost", "unpriced_models", "models", "first_ts", "last_ts")

    def __init__(self) -> None:
        self.input_tokens = self.output_tokens = self.cache_write_5m_tokens = 0
        self.cache_write_1h_tokens = self.cache_read_tokens = self.turns = 0
        self.priced_cost = 0.0
        self.unpriced_models: list[str] = []
        self.models: list[str] = []
        self.first_ts = self.last_ts = ""

    @property
    def cache_creation_tokens(self) -> int:
        return self.cache_write_5m_tokens + self.cache_write_1h_tokens

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_tokens + self.cache_read_tokens

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.cache_creation_tokens + self.cache_read_tokens

    @property
    def cache_hit_ratio(self) -> float | None:
        """Cache reads over all input (input + cache writes + cache reads); None with no input at all."""
        prompt = self.prompt_tokens
        return self.cache_read_tokens / prompt if prompt else None

    @property
    def cost_usd(self) -> float | None:
        if self.unpriced_models and self.priced_cost == 0.0 and len(self.unpriced_models) == len(self.models):
            return None
        return self.priced_cost

    def add(self, model: str | None, speed: str | None, row: SqlRow) -> None:
        """Fold one `TOKEN_SUMS_SQL` row (15 sums, count, first ts, last ts) of one model and speed into this group."""
        plain = _five(row[0:5])
        self.input_tokens += plain[0]
        self.output_tokens += plain[1]
        self.cache_write_5m_tokens += plain[2]
        self.cache_write_1h_tokens += plain[3]
        self.cache_read_tokens += plain[4]
        self.turns += int(row[15])
        first, last = str(row[16]), str(row[17])
        if not self.first_ts or first < self.first_ts:
            self.first_ts = first
        if last > self.last_ts:
            self.last_ts = last
        label = model if model else NO_MODEL
        if speed == "fast":
            label += "-fast"
        if label not in self.models:
            self.models.append(label)
        sums = TokenSums(plain, _five(row[5:10]), _five(row[10:15]))
        price = cost(model, speed, sums)
        if price is None:
            if label not in self.unpriced_models:
                self.unpriced_models.append(label)
        else:
            self.priced_cost += price

    def as_dict(self) -> dict[str, object]:
        return {
            "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
            "cache_creation_tokens": self.cache_creation_tokens, "cache_read_tokens": self.cache_read_tokens,
            "cache_write_5m_tokens": self.cache_write_5m_tokens, "cache_write_1h_tokens": self.cache_write_1h_tokens,
            "total_tokens": self.total_tokens, "cost_usd": self.cost_usd, "unpriced_models": self.unpriced_models,
            "models": self.models, "turns": self.turns, "first_activity": self.first_ts or None,
            "last_activity": self.last_ts or None, "cache_hit_ratio": self.cache_hit_ratio,
        }


class Filters:
    """Which turns a query covers: local dates `since`..`until` (inclusive), a project, a session, an agent."""

    __slots__ = ("since", "until", "project", "session_id", "agent_id")

    def __init__(self, since: date | None = None, until: date | None = None, project: str | None = None,
                 session_id: str | None = None, agent_id: str | None = None) -> None:
        self.since, self.until, self.project, self.session_id, self.agent_id = (
            since, until, project, session_id, agent_id)

    def ts_bounds(self, column: str) -> tuple[list[str], list[object]]:
        """Conditions (and parameters) keeping a UTC `ts` column within `since`..`until`, local days."""
        clauses: list[str] = []
        params: list[object] = []
        if self.since is not None:
            clauses.append(f"{column} >= ?")
            params.append(utc_bound(self.since))
        if self.until is not None:
            clauses.append(f"{column} < ?")
            params.append(utc_bound(self.until + timedelta(days=1)))
        return clauses, params

    def sql(self, alias: str = "") -> tuple[str, list[object]]:
        """A WHERE clause (or '') over `turns` and its parameters."""
        prefix = f"{alias}." if alias else ""
        clauses, params = self.ts_bounds(f"{prefix}ts")
        for column, value in (("project", self.project), ("session_id", self.session_id),
                              ("agent_id", self.agent_id)):
            if value is not None:
                clauses.append(f"{prefix}{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def utc_bound(day: date) -> str:
    """Local midnight at the start of `day` as a UTC `ts` string."""
    utc = datetime(day.year, day.month, day.day).astimezone().astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def utc_ts(moment: datetime) -> str:
    """`moment` as a `ts` string (UTC, milliseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def usage_by(conn: sqlite3.Connection, group: Sequence[str], filters: Filters | None = None
             ) -> dict[GroupKey, Usage]:
    """One `Usage` per distinct value of the `group` columns of `turns` (trusted column names), in first-use order.

    Read from the rollup (`rollup`: a few rows per session and quarter hour, and the turns not rolled up yet) when it
    holds what is asked: groups of session and project, filtered by them and by days whose midnights fall on UTC
    quarter hours. Otherwise, and always by `usage_from_turns`, from the turns themselves; the two agree exactly
    (tests compare them).
    """
    rolled = _usage_from_rollup(conn, group, filters or Filters())
    return rolled if rolled is not None else usage_from_turns(conn, group, filters)


_ROLLED_UP_GROUPS = frozenset(("session_id", "project"))
_ROLLUP_SUMS = ", ".join(f"SUM({column})" for column in rollup.COLUMNS)


def _usage_from_rollup(conn: sqlite3.Connection, group: Sequence[str], filters: Filters
                       ) -> dict[GroupKey, Usage] | None:
    if not set(group) <= _ROLLED_UP_GROUPS or filters.agent_id is not None:
        return None
    rolled: list[str] = []  # over spend_buckets, and the same over the pending turns
    pending: list[str] = []
    params: list[tuple[object, object]] = []  # (for spend_buckets, for the pending turns)
    for op, day in ((">=", filters.since), ("<", filters.until + timedelta(days=1) if filters.until else None)):
        if day is not None:
            bound = utc_bound(day)
            if int(bound[14:16]) % 15 or bound[17:19] != "00":
                return None  # a midnight off the quarter hours (no time zone in use has one)
            rolled.append(f"bucket {op} ?")
            pending.append(f"ts {op} ?")
            params.append((rollup.bucket(bound), bound))
    for column, value in (("project", filters.project), ("session_id", filters.session_id)):
        if value is not None:
            rolled.append(f"{column} = ?")
            pending.append(f"{column} = ?")
            params.append((value, value))
    where = f" WHERE {' AND '.join(rolled)}" if rolled else ""
    keys = "".join(f"{column}, " for column in group)
    source = (f"SELECT {', '.join(rollup.ROW)} FROM spend_buckets{where} UNION ALL "
              f"{rollup.pending(' AND '.join(pending) or 'true')}")
    sql = (f"SELECT {keys}NULLIF(model, ''), NULLIF(speed, ''), {_ROLLUP_SUMS}, SUM(turns), MIN(first_ts), "
           f"MAX(last_ts) FROM ({source}) GROUP BY {keys}model, speed HAVING SUM(turns) > 0 "
           f"ORDER BY MIN(first_ts), {keys}model, speed")
    values = [rolled_value for rolled_value, _ in params] + [pending_value for _, pending_value in params]
    width = len(group)
    result: dict[GroupKey, Usage] = {}
    for row in conn.execute(sql, values):
        key: GroupKey = tuple(row[:width])
        usage = result.get(key)
        if usage is None:
            usage = result[key] = Usage()
        usage.add(row[width], row[width + 1], row[width + 2:])
    return result


def usage_from_turns(conn: sqlite3.Connection, group: Sequence[str], filters: Filters | None = None
                     ) -> dict[GroupKey, Usage]:
    """`usage_by` summed from the turns, whatever the group and filters.

    The long-context sums are summed apart (`_tier_sums`), and only when a group of a model priced by tiers holds a
    request above a tier: the main query reports each group's largest prompt and output for that.
    """
    where, params = (filters or Filters()).sql()
    cols = ", ".join(group)
    select_group = f"{cols}, " if group else ""
    width = len(group)
    sql = (f"SELECT {select_group}model, speed, {token_sums_sql(False, False)}, MAX({_PROMPT}), MAX(output_tokens) "
           f"FROM turns{where} GROUP BY {select_group}model, speed ORDER BY MIN(ts), {select_group}model, speed")
    rows = conn.execute(sql, params).fetchall()
    tiers = _tier_sums(conn, select_group, width, where, params, rows)
    result: dict[GroupKey, Usage] = {}
    for row in rows:
        key: GroupKey = tuple(row[:width])
        usage = result.get(key)
        if usage is None:
            usage = result[key] = Usage()
        sums = row[width + 2:-2]
        tier = tiers.get(tuple(row[:width + 2]))
        if tier is not None:
            sums = (*sums[:5], *tier, *sums[15:])
        usage.add(row[width], row[width + 1], sums)
    return result


def _tier_sums(conn: sqlite3.Connection, select_group: str, width: int, where: str, params: list[object],
               rows: list[Any]) -> dict[tuple[object, ...], tuple[object, ...]]:
    """The long-context sums (10 columns) per group, model and speed, for the groups that need them.

    A group needs them when its model is priced by tiers and its largest prompt or output is above a tier. They are
    summed over the only requests where they are not zero (a field above FIELD_TIER_TOKENS implies a prompt above
    it; `in_long_prompts` needs a prompt above PROMPT_TIER_TOKENS).
    """
    field_tier = prompt_tier = False
    for row in rows:
        price = price_for(row[width])
        if price is None:
            continue
        longest_prompt, longest_output = int(row[-2] or 0), int(row[-1] or 0)
        if price.above_field_tier is not None and max(longest_prompt, longest_output) > FIELD_TIER_TOKENS:
            field_tier = True
        if price.above_prompt_tier is not None and longest_prompt > PROMPT_TIER_TOKENS:
            prompt_tier = True
    if not field_tier and not prompt_tier:
        return {}
    threshold = min(PROMPT_TIER_TOKENS, FIELD_TIER_TOKENS) if prompt_tier else FIELD_TIER_TOKENS
    above = f"({_PROMPT} > {threshold} OR output_tokens > {FIELD_TIER_TOKENS})"
    where = f"{where} AND {above}" if where else f" WHERE {above}"
    columns = ", ".join((_FIELD_TIER_SUMS if field_tier else ["0"] * 5)
                        + (_PROMPT_TIER_SUMS if prompt_tier else ["0"] * 5))
    sql = f"SELECT {select_group}model, speed, {columns} FROM turns{where} GROUP BY {select_group}model, speed"
    return {tuple(row[:width + 2]): tuple(row[width + 2:]) for row in conn.execute(sql, params)}


def combined(usages: Iterable[Usage]) -> Usage:
    """One `Usage` summing several (e.g. the totals row of a view, without a second query)."""
    result = Usage()
    for usage in usages:
        merge(result, usage)
    return result


def total(conn: sqlite3.Connection, filters: Filters | None = None) -> Usage:
    """All turns matching `filters` as one `Usage`."""
    return usage_by(conn, (), filters).get((), Usage())


def session_totals(conn: sqlite3.Connection, session_id: str) -> Usage:
    """One session's tokens and cost, subagents included."""
    return total(conn, Filters(session_id=session_id))


def sessions(conn: sqlite3.Connection, filters: Filters | None = None) -> dict[GroupKey, Usage]:
    """Per (session_id, project)."""
    return usage_by(conn, ("session_id", "project"), filters)


def agent_totals(conn: sqlite3.Connection, filters: Filters | None = None) -> dict[GroupKey, Usage]:
    """Per (session_id, agent_id, model): 'main' is the session's own thread, other ids are subagents."""
    return usage_by(conn, ("session_id", "agent_id", "model"), filters)


def agent_types(conn: sqlite3.Connection, session_id: str | None = None) -> dict[tuple[str, str], str | None]:
    """(session_id, agent_id) -> agentType from the subagent's meta file."""
    sql = "SELECT session_id, agent_id, agent_type FROM agents"
    rows = conn.execute(sql + " WHERE session_id = ?", (session_id,)) if session_id else conn.execute(sql)
    return {(row[0], row[1]): row[2] for row in rows}


def day_bucket() -> str:
    """A SQL prefix of `ts` that never straddles local midnight, to group by and then map with `local_day`."""
    # UTC hours (cheap); zones whose offset is not whole hours (India, Nepal...) need minute buckets.
    whole_hours = time.timezone % 3600 == 0 and time.altzone % 3600 == 0
    return f"substr(ts, 1, {13 if whole_hours else 16})"


def daily_totals(conn: sqlite3.Connection, filters: Filters | None = None) -> dict[str, Usage]:
    """Per local calendar day (YYYY-MM-DD), all sessions together: the fleet's daily spend."""
    days: dict[str, Usage] = {}
    for (bucket,), usage in usage_by(conn, (day_bucket(),), filters).items():
        day = local_day(str(bucket))
        merged = days.get(day)
        days[day] = usage if merged is None else merge(merged, usage)
    return dict(sorted(days.items()))


def local_day(utc_bucket: str) -> str:
    """'2026-11-20T23' or '2026-11-20T23:30' (UTC) -> the local calendar day it falls in."""
    stamp = utc_bucket + (":00:00" if len(utc_bucket) == 13 else ":00")
    return datetime.fromisoformat(stamp + "+00:00").astimezone().date().isoformat()


def merge(into: Usage, other: Usage) -> Usage:
    """`into` with `other` added (both from `usage_by`)."""
    for name in ("input_tokens", "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
                 "cache_read_tokens", "turns", "priced_cost"):
        setattr(into, name, getattr(into, name) + getattr(other, name))
    into.models.extend(m for m in other.models if m not in into.models)
    into.unpriced_models.extend(m for m in other.unpriced_models if m not in into.unpriced_models)
    if other.first_ts and (not into.first_ts or other.first_ts < into.first_ts):
        into.first_ts = other.first_ts
    into.last_ts = max(into.last_ts, other.last_ts)
    return into


def model_totals(conn: sqlite3.Connection, filters: Filters | None = None) -> dict[GroupKey, Usage]:
    """Per model name as written in the transcripts."""
    return usage_by(conn, ("model",), filters)


class ToolUsage:
    """Calls of one tool and the tokens its results brought into the next request (see the module docstring)."""

    __slots__ = ("name", "plugin", "server", "tool", "calls", "result_tokens", "sessions")

    def __init__(self, row: SqlRow) -> None:
        self.name, self.tool = str(row[0]), str(row[3])
        self.plugin: str | None = row[1]
        self.server: str | None = row[2]
        self.calls = int(row[4])
        self.result_tokens = round(float(row[5] or 0))
        self.sessions = int(row[6])


def tool_totals(conn: sqlite3.Connection, filters: Filters | None = None) -> list[ToolUsage]:
    """Per tool name, most result tokens first."""
    where, params = (filters or Filters()).sql()
    sql = f"""
        WITH seq AS (
            SELECT message_id, {_PROMPT} AS prompt, output_tokens AS output,
                   LEAD({_PROMPT}) OVER (PARTITION BY file_id ORDER BY line_offset) AS next_prompt
            FROM turns{where}
        ),
        per_turn AS (SELECT message_id, COUNT(*) AS n FROM tool_calls WHERE message_id IS NOT NULL GROUP BY message_id)
        SELECT c.name, c.plugin, c.server, c.tool, COUNT(*),
               SUM(CASE WHEN s.next_prompt IS NULL THEN 0
                        ELSE MAX(s.next_prompt - s.prompt - s.output, 0) * 1.0 / p.n END),
               COUNT(DISTINCT c.session_id)
        FROM tool_calls c JOIN seq s ON s.message_id = c.message_id JOIN per_turn p ON p.message_id = c.message_id
        GROUP BY c.name ORDER BY 6 DESC, 5 DESC, c.name"""
    return [ToolUsage(row) for row in conn.execute(sql, params)]


class Turn:
    """One API request: who made it, its tokens and cost, and the tool calls whose results it was the first to see."""

    __slots__ = ("ts", "session_id", "agent_id", "model", "speed", "tokens", "cost_usd", "after_tools")

    def __init__(self, row: SqlRow, after_tools: list[str]) -> None:
        self.ts, self.session_id, self.agent_id = str(row[0]), str(row[1]), str(row[2])
        self.model: str | None = row[3]
        self.speed: str | None = row[4]
        self.tokens = _five(row[5:10])
        self.cost_usd = cost(self.model, self.speed, TokenSums.of_request(self.tokens))
        self.after_tools = after_tools


def recent_turns(conn: sqlite3.Connection, limit: int = 20, filters: Filters | None = None) -> list[Turn]:
    """The latest `limit` turns, newest first, each with the tools whose results preceded it."""
    where, params = (filters or Filters()).sql()
    rows = conn.execute(
        f"""SELECT ts, session_id, agent_id, model, speed, {", ".join(_FIELDS)},
                   LAG(message_id) OVER (PARTITION BY file_id ORDER BY line_offset)
            FROM turns{where} ORDER BY ts DESC LIMIT ?""",
        [*params, limit],
    ).fetchall()
    previous = [row[10] for row in rows if row[10]]
    tools = _tools_of(conn, previous)
    return [Turn(row, tools.get(row[10], []) if row[10] else []) for row in rows]


def _tools_of(conn: sqlite3.Connection, message_ids: Iterable[str]) -> dict[str, list[str]]:
    ids = list(dict.fromkeys(message_ids))
    found: dict[str, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = conn.execute(
            f"SELECT message_id, name FROM tool_calls WHERE message_id IN ({','.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        )
        for message_id, name in rows:
            found.setdefault(message_id, []).append(name)
    return found

