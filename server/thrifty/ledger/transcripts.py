"""Transcript lines -> usage records: which JSONL lines carry a billable API response, and what they say.

The rules follow ccusage 20.0.24 so per-session totals agree with it to the token: only lines containing the exact
bytes `"usage":{` are considered (Claude Code writes compact JSON); a line is skipped when one of a few fields is
`null`, when `timestamp` is not RFC 3339 with 0 or 3 fractional digits, when `version` is not semver-like, when
`sessionId`, `requestId`, `message.id` or `message.model` is present but empty, or when a token count is not a
non-negative integer. `<synthetic>` records (client-side errors, always zero usage) are ignored. Advisor calls
billed inside a response (`usage.iterations`) become records of their own model. Tool calls are read from the
`tool_use` blocks of the same records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

# json decodes about 65 MB/s of usage lines here, orjson about 200 MB/s, but importing orjson costs about 15 ms
# (CPU), as much as json spends on a megabyte. A hook reads a few kilobytes per turn, so orjson is imported only
# once this process has been handed `FAST_DECODER_AFTER` bytes (a first ingest, a report over a large history).
FAST_DECODER_AFTER = 2 << 20
_loads: Callable[[bytes], Any] = json.loads
_DECODE_ERRORS = (ValueError, RecursionError)  # orjson's JSONDecodeError is a ValueError; json recurses
_bytes_seen = 0
_fast_tried = False

USAGE_MARKER = b'"usage":{'
SYNTHETIC_MODEL = "<synthetic>"
MAX_TOKENS = (1 << 63) - 1  # SQLite's INTEGER range; anything larger is not a real count
MAX_TURN_TOKENS = 10**12  # no single API response bills more (a 1M-token context is 10^6); sums stay far from 2^63
# Fields whose `null` makes ccusage reject the whole line (its serde schema has no Option for them).
_NON_NULLABLE = frozenset(
    {
        b"id", b"cwd", b"model", b"speed", b"costUSD", b"version", b"sessionId", b"requestId",
        b"isApiErrorMessage", b"cache_read_input_tokens", b"cache_creation_input_tokens",
    }
)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?(?:Z|[+-]\d{2}:\d{2})")
_SEMVER_PREFIX = re.compile(r"\d+\.\d+\.\d")
_SPEEDS = {"standard": None, "fast": "fast"}


class UsageRecord:
    """One assistant record's usage: a copy of one API response (a response spans several records)."""

    __slots__ = (
        "message_id", "request_id", "ts", "model", "speed", "is_sidechain", "input_tokens", "output_tokens",
        "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens", "offset", "tools",
    )

    def __init__(
        self, message_id: str | None, request_id: str, ts: str, model: str | None, speed: str | None,
        is_sidechain: bool, tokens: tuple[int, int, int, int, int], offset: int, tools: list[tuple[str, str]],
    ) -> None:
        self.message_id = message_id
        self.request_id = request_id
        self.ts = ts
        self.model = model
        self.speed = speed
        self.is_sidechain = is_sidechain
        (self.input_tokens, self.output_tokens, self.cache_write_5m_tokens, self.cache_write_1h_tokens,
         self.cache_read_tokens) = tokens
        self.offset = offset
        self.tools = tools

    @property
    def total_tokens(self) -> int:
        return (self.input_tokens + self.output_tokens + self.cache_write_5m_tokens + self.cache_write_1h_tokens
                + self.cache_read_tokens)


class ParseResult:
    """The usage records found in a run of complete lines, and how many candidate lines were malformed JSON."""

    __slots__ = ("records", "malformed", "rejected", "implausible")

    def __init__(self) -> None:
        self.records: list[UsageRecord] = []
        self.malformed = 0
        self.rejected = 0  # well-formed usage lines that fail validation (ccusage skips them too)
        self.implausible: list[tuple[int, str]] = []  # (offset, why) of usage lines no real turn can have


def parse_lines(data: bytes, base_offset: int = 0, end: int | None = None) -> ParseResult:
    """Usage records in `data[:end]`, a run of complete lines starting at file offset `base_offset`.

    Only lines containing `"usage":{` are decoded; everything else (user turns with large tool results, progress,
    metadata) is skipped without being split out or parsed.
    """
    result = ParseResult()
    find = data.find
    limit = len(data) if end is None else end
    _count_bytes(limit)
    pos = 0
    while True:
        hit = find(USAGE_MARKER, pos, limit)
        if hit < 0:
            return result
        start = data.rfind(b"\n", 0, hit) + 1
        stop = find(b"\n", hit, limit)
        if stop < 0:
            stop = limit
        _parse_candidate(data[start:stop], base_offset + start, result)
        pos = stop + 1


def _count_bytes(size: int) -> None:
    global _bytes_seen, _fast_tried, _loads
    _bytes_seen += size
    if _fast_tried or _bytes_seen < FAST_DECODER_AFTER:
        return
    _fast_tried = True
    try:
        from orjson import loads
    except ImportError:  # pragma: no cover - optional: the hooks run under a bare python3 that may lack it
        return
    _loads = loads


def parse_final_line(line: bytes, offset: int) -> ParseResult | None:
    """A last line with no newline yet: its records if it is already one complete JSON document, else None.

    A proper prefix of a JSON object is never valid JSON, so a line still being written always returns None.
    """
    if USAGE_MARKER not in line:
        return None
    try:
        _loads(line)
    except _DECODE_ERRORS:
        return None
    result = ParseResult()
    _parse_candidate(line, offset, result)
    return result


def _parse_candidate(line: bytes, offset: int, result: ParseResult) -> None:
    if b":null" in line and has_rejected_null(line):
        result.rejected += 1
        return
    try:
        obj = _loads(line)
    except _DECODE_ERRORS:
        result.malformed += 1
        return
    reason = implausible_usage(obj)
    if reason is not None:
        result.rejected += 1  # ccusage skips negative and non-integer counts too; this one is also logged
        result.implausible.append((offset, reason))
        return
    record = usage_record(obj, offset)
    if record is None:
        result.rejected += 1
    elif record is not _IGNORED:
        result.records.append(record)
        iterations = json_array(obj["message"]["usage"].get("iterations"))
        if iterations is not None:
            result.records.extend(advisor_records(record, iterations))


def has_rejected_null(line: bytes) -> bool:
    """True when a field ccusage cannot take as `null` is `null` anywhere in the raw line (its byte-level check)."""
    pos = 0
    while True:
        hit = line.find(b":null", pos)
        if hit < 0:
            return False
        field_end = hit - 1
        if field_end >= 0 and line[field_end] != 0x22:
            field_end = line.rfind(b'"', 0, field_end + 1)
        if field_end > 0:
            field_start = line.rfind(b'"', 0, field_end)
            if field_start >= 0 and line[field_start + 1:field_end] in _NON_NULLABLE:
                return True
        pos = hit + 5


class _Ignored(UsageRecord):
    __slots__ = ()

    def __init__(self) -> None:
        pass


_IGNORED = _Ignored()


def usage_record(obj: Any, offset: int) -> UsageRecord | None:
    """The usage record in a decoded line; None when ccusage would reject it; `_IGNORED` for `<synthetic>`."""
    obj = json_object(obj)
    message = json_object(obj.get("message")) if obj is not None else None
    usage = json_object(message.get("usage")) if message is not None else None
    if obj is None or message is None or usage is None:
        return None
    ts = normalize_timestamp(obj.get("timestamp"))
    if ts is None:
        return None
    if not _optional_nonempty_str(obj, "sessionId") or not _optional_nonempty_str(obj, "requestId"):
        return None
    if not _optional_nonempty_str(message, "id") or not _optional_nonempty_str(message, "model"):
        return None
    version = obj.get("version")
    if version is not None and (type(version) is not str or not _SEMVER_PREFIX.match(version)):
        return None
    sidechain = obj.get("isSidechain", False)
    if type(sidechain) is not bool:
        return None
    speed_raw = usage.get("speed")
    if speed_raw is not None and speed_raw not in _SPEEDS:
        return None
    tokens = usage_tokens(usage)
    if tokens is None:
        return None
    model = message.get("model")
    if model == SYNTHETIC_MODEL:
        return _IGNORED
    return UsageRecord(
        message.get("id"), obj.get("requestId") or "", ts, model, _SPEEDS.get(speed_raw) if speed_raw else None,
        sidechain, tokens, offset, tool_uses(message.get("content")),
    )


def advisor_records(record: UsageRecord, iterations: list[Any]) -> list[UsageRecord]:
    """Advisor calls billed inside a response (`usage.iterations[]` of type `advisor_message`, another model):
    each is its own record, keyed `<message id>:advisor:<n>` so its copies de-duplicate like any response."""
    found: list[UsageRecord] = []
    for entry in iterations:
        item = json_object(entry)
        if item is None or item.get("type") != "advisor_message":
            continue
        model, tokens = item.get("model"), usage_tokens(item)
        if type(model) is str and model and tokens is not None:
            key = f"{record.message_id}:advisor:{len(found)}" if record.message_id else None
            found.append(UsageRecord(key, record.request_id, record.ts, model, None, record.is_sidechain, tokens,
                                     record.offset, []))
    return found


def implausible_usage(obj: Any) -> str | None:
    """Why the token counts of a decoded usage line cannot be real (negative, not an integer, above
    MAX_TURN_TOKENS alone or together), or None. Missing and null counts are left to ccusage's rules."""
    record = json_object(obj)
    message = json_object(record.get("message")) if record is not None else None
    usage = json_object(message.get("usage")) if message is not None else None
    if message is None or usage is None:
        return None
    split = json_object(usage.get("cache_creation"))
    counts: list[tuple[str, Any]] = [(name, usage.get(name)) for name, _ in _TOKEN_FIELDS]
    if split is not None:
        counts += [(name, split.get(name)) for name in ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens")]
    total = 0
    for name, value in counts:
        if value is None:
            continue
        if type(value) is not int:
            return f"implausible usage {name}={str(value)[:40]} (not an integer) in message {message.get('id')}"
        if value < 0 or value > MAX_TURN_TOKENS:
            return f"implausible usage {name}={value} (outside 0..10^12) in message {message.get('id')}"
        total += value
    if total > 2 * MAX_TURN_TOKENS:  # the cache split repeats cache_creation_input_tokens
        return f"implausible usage: {total:,} tokens in one turn in message {message.get('id')}"
    return None


def usage_tokens(usage: dict[str, Any]) -> tuple[int, int, int, int, int] | None:
    """(input, output, 5m cache write, 1h cache write, cache read), or None if a count is missing or not an integer.

    Cache writes are `cache_creation_input_tokens`, whatever the `cache_creation` TTL split says: the split only
    apportions them, and what it leaves unassigned is 5-minute writes. An API that sends no split makes Claude Code
    write a zero split next to the real total (ccusage 20.0.24 then counts no writes; see
    tests/ledger/test_ledger_ccusage.py). Only when the total is absent does the split's sum stand in for it.
    """
    counts: list[int] = []
    for name, required in _TOKEN_FIELDS:
        value = usage.get(name, _MISSING)
        if value is _MISSING and not required:
            value = 0
        elif type(value) is not int or value < 0 or value > MAX_TOKENS:
            return None  # missing required count, explicit null, float, string, negative
        counts.append(value)
    inp, out, creation, read = counts
    raw_split = usage.get("cache_creation")
    if raw_split is None:
        return inp, out, creation, 0, read
    split = json_object(raw_split)
    if split is None:
        return None
    five = split.get("ephemeral_5m_input_tokens", 0)
    hour = split.get("ephemeral_1h_input_tokens", 0)
    five = 0 if five is None else five
    hour = 0 if hour is None else hour
    if type(five) is not int or type(hour) is not int or min(five, hour) < 0 or max(five, hour) > MAX_TOKENS:
        return None
    if "cache_creation_input_tokens" not in usage:
        return inp, out, five, hour, read
    hour = min(hour, creation)
    return inp, out, creation - hour, hour, read


_MISSING = object()
_TOKEN_FIELDS = (
    ("input_tokens", True), ("output_tokens", True), ("cache_creation_input_tokens", False),
    ("cache_read_input_tokens", False),
)


def tool_uses(content: Any) -> list[tuple[str, str]]:
    """(tool_use_id, tool name) of each tool_use block in a message's content."""
    found: list[tuple[str, str]] = []
    for entry in json_array(content) or ():
        block = json_object(entry)
        if block is not None and block.get("type") == "tool_use":
            name = block.get("name")
            if type(name) is str and name:
                tool_id = block.get("id")
                found.append((tool_id if type(tool_id) is str else "", name))
    return found


def json_object(value: Any) -> dict[str, Any] | None:
    """`value` when it is a JSON object (exactly a dict, as json decodes one), else None."""
    return cast("dict[str, Any]", value) if type(value) is dict else None


def json_array(value: Any) -> list[Any] | None:
    """`value` when it is a JSON array (exactly a list), else None."""
    return cast("list[Any]", value) if type(value) is list else None


def _optional_nonempty_str(obj: dict[str, Any], key: str) -> bool:
    value = obj.get(key)
    return value is None or (type(value) is str and value != "")


def normalize_timestamp(value: Any) -> str | None:
    """RFC 3339 with 0 or 3 fractional digits and a zone -> UTC `YYYY-MM-DDTHH:MM:SS.mmmZ`; anything else -> None."""
    if type(value) is not str or not _TIMESTAMP.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] == "Z" else value)
    except ValueError:  # out-of-range fields: Feb 30, hour 24, second 60
        return None
    if value[-1] == "Z":
        return value if len(value) == 24 else value[:-1] + ".000Z"
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def split_tool_name(name: str) -> tuple[str | None, str | None, str]:
    """(plugin, server, tool) of a tool name: `mcp__<server>__<tool>` and `mcp__plugin_<plugin>_<server>__<tool>`
    are MCP tools (plugin names are kebab-case, so the first `_` ends one); built-in tools are (None, None, name)."""
    if not name.startswith("mcp__"):
        return None, None, name
    server, sep, tool = name[5:].partition("__")
    if not sep or not server or not tool:
        return None, None, name
    if server.startswith("plugin_"):
        plugin, sep, plugin_server = server[7:].partition("_")
        if sep and plugin and plugin_server:
            return plugin, plugin_server, tool
    return None, server, tool


__all__ = [
    "USAGE_MARKER", "ParseResult", "UsageRecord", "advisor_records", "has_rejected_null", "normalize_timestamp",
    "parse_final_line", "parse_lines", "split_tool_name", "tool_uses", "usage_record", "usage_tokens",
]
