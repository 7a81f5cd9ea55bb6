"""Which transcript lines count as usage, and what is read from them (ccusage 20.0.24's rules)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from ledger_helpers import SERVER_DIR, with_changes

from thrifty.ledger.transcripts import (
    UsageRecord,
    has_rejected_null,
    normalize_timestamp,
    parse_final_line,
    parse_lines,
    split_tool_name,
)


def line(**overrides: object) -> bytes:
    record: dict[str, Any] = {
        "type": "assistant", "sessionId": "s1", "version": "2.1.330", "timestamp": "2026-11-20T10:00:00.000Z",
        "requestId": "req_1", "isSidechain": False,
        "message": {"id": "msg_1", "model": "claude-sonnet-4-6", "content": [{"type": "text", "text": "hi"}],
                    "usage": {"input_tokens": 10, "output_tokens": 20, "cache_creation_input_tokens": 30,
                              "cache_read_input_tokens": 40}},
    }
    return json.dumps(with_changes(record, overrides), separators=(",", ":")).encode()


def records(*lines: bytes) -> list[UsageRecord]:
    return parse_lines(b"".join(raw + b"\n" for raw in lines)).records


def test_a_compact_assistant_line_yields_its_ids_model_and_tokens() -> None:
    (record,) = records(line())
    assert (record.message_id, record.request_id, record.model, record.ts) == (
        "msg_1", "req_1", "claude-sonnet-4-6", "2026-11-20T10:00:00.000Z")
    assert (record.input_tokens, record.output_tokens, record.cache_write_5m_tokens, record.cache_write_1h_tokens,
            record.cache_read_tokens) == (10, 20, 30, 0, 40)


def test_lines_without_the_compact_usage_marker_are_not_usage() -> None:
    spaced = line().replace(b'"usage":{', b'"usage": {')
    assert records(spaced, b'{"type":"user","message":{"role":"user","content":"x"}}') == []


def test_the_ttl_split_apportions_the_cache_write_total() -> None:
    (record,) = records(line(message__usage__cache_creation_input_tokens=30, message__usage__cache_creation={
        "ephemeral_5m_input_tokens": 19, "ephemeral_1h_input_tokens": 11}))
    assert (record.cache_write_5m_tokens, record.cache_write_1h_tokens) == (19, 11)


@pytest.mark.parametrize(
    ("total", "split", "writes"),
    [
        (24_205, {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}, (24_205, 0)),  # API sent no split
        (30, {"ephemeral_5m_input_tokens": 7, "ephemeral_1h_input_tokens": 11}, (19, 11)),  # remainder is 5-minute
        (30, {"ephemeral_1h_input_tokens": 50}, (0, 30)),  # never more 1-hour writes than writes
        (..., {"ephemeral_5m_input_tokens": 7, "ephemeral_1h_input_tokens": 11}, (7, 11)),  # no total: the split
    ],
)
def test_cache_writes_are_the_total_whatever_the_split_says(total: object, split: dict[str, int],
                                                             writes: tuple[int, int]) -> None:
    (record,) = records(line(message__usage__cache_creation_input_tokens=total,
                             message__usage__cache_creation=split))
    assert (record.cache_write_5m_tokens, record.cache_write_1h_tokens) == writes


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"version": "2.1"}, "version is not semver"),
        ({"version": "abc"}, "version is not semver"),
        ({"sessionId": ""}, "empty session id"),
        ({"requestId": ""}, "empty request id"),
        ({"message__id": ""}, "empty message id"),
        ({"message__model": ""}, "empty model"),
        ({"timestamp": "2026-11-20T10:00:00.123456Z"}, "6 fractional digits"),
        ({"timestamp": "2026-11-20T10:00:00"}, "no zone"),
        ({"timestamp": "2026-02-30T10:00:00.000Z"}, "no such day"),
        ({"timestamp": ...}, "no timestamp"),
        ({"message__usage__output_tokens": ...}, "output count missing"),
        ({"message__usage__input_tokens": 1.5}, "count not an integer"),
        ({"message__usage__input_tokens": -1}, "negative count"),
        ({"message__usage__speed": None}, "null speed"),
        ({"isSidechain": "yes"}, "sidechain flag not a boolean"),
        ({"message__content": [{"type": "tool_use", "id": "t", "name": "X", "input": {"id": None}}]}, "a null id"),
    ],
)
def test_lines_ccusage_rejects_are_rejected_not_counted(overrides: dict[str, object], why: str) -> None:
    result = parse_lines(line(**overrides) + b"\n")
    assert (result.records, result.rejected, result.malformed) == ([], 1, 0), why


@pytest.mark.parametrize(
    "overrides",
    [{"version": ...}, {"sessionId": ...}, {"requestId": ...}, {"message__id": ...}, {"message__content": None},
     {"version": "2.1.330-beta"}, {"message__usage__cache_read_input_tokens": ...}, {"type": "user"}],
)
def test_optional_fields_may_be_missing(overrides: dict[str, object]) -> None:
    assert len(records(line(**overrides))) == 1


def test_synthetic_records_are_ignored_and_a_missing_model_is_kept_unpriced() -> None:
    assert records(line(message__model="<synthetic>")) == []
    (record,) = records(line(message__model=...))
    assert record.model is None


def test_timestamps_with_an_offset_are_normalised_to_utc_milliseconds() -> None:
    assert normalize_timestamp("2026-11-20T10:00:00.123+02:00") == "2026-11-20T08:00:00.123Z"
    assert normalize_timestamp("2026-11-20T10:00:00Z") == "2026-11-20T10:00:00.000Z"
    assert normalize_timestamp("2026-11-20T24:00:00Z") is None


def test_a_cut_line_is_malformed_and_counted() -> None:
    full = line()
    result = parse_lines(full[: len(full) - 30] + b"\n" + full + b"\n")
    assert (len(result.records), result.malformed) == (1, 1)


def test_record_offsets_are_file_offsets_of_their_lines() -> None:
    first, second = line(), line(message__id="msg_2")
    data = b'{"type":"summary"}\n' + first + b"\n" + second + b"\n"
    offsets = [r.offset for r in parse_lines(data, base_offset=1000).records]
    assert offsets == [1000 + 19, 1000 + 19 + len(first) + 1]


def test_only_a_complete_json_document_counts_as_a_finished_last_line() -> None:
    full = line()
    assert parse_final_line(full[:-1], 0) is None
    finished = parse_final_line(full, 0)
    assert finished is not None and len(finished.records) == 1


def test_tool_use_blocks_give_tool_ids_and_names() -> None:
    content = [{"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {}},
               {"type": "tool_use", "id": "toolu_2", "name": "mcp__github__get_issue", "input": {}}]
    (record,) = records(line(message__content=content))
    assert record.tools == [("toolu_1", "Read"), ("toolu_2", "mcp__github__get_issue")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Read", (None, None, "Read")),
        ("mcp__github__get_issue", (None, "github", "get_issue")),
        ("mcp__plugin_thrifty_thrifty__read_many", ("thrifty", "thrifty", "read_many")),
        ("mcp__plugin_my-tools_db__run_query", ("my-tools", "db", "run_query")),
        ("mcp__broken", (None, None, "mcp__broken")),
    ],
)
def test_mcp_tool_names_split_into_plugin_server_and_tool(name: str, expected: tuple[object, ...]) -> None:
    assert split_tool_name(name) == expected


def test_null_check_looks_only_at_the_fields_ccusage_cannot_take_as_null() -> None:
    assert has_rejected_null(b'{"message":{"model":null}}')
    assert has_rejected_null(b'{"usage":{"input_tokens":1,"cache_read_input_tokens":null}}')
    assert not has_rejected_null(b'{"parentUuid":null,"stop_reason":null}')


def test_advisor_calls_inside_a_response_are_records_of_their_own_model() -> None:
    iterations = [{"type": "message", "input_tokens": 10, "output_tokens": 20},
                  {"type": "advisor_message", "model": "claude-opus-4-8", "input_tokens": 700, "output_tokens": 90}]
    main, advisor = records(line(message__usage__iterations=iterations))
    assert (main.model, main.input_tokens) == ("claude-sonnet-4-6", 10)
    assert (advisor.message_id, advisor.request_id, advisor.model, advisor.input_tokens, advisor.output_tokens) == (
        "msg_1:advisor:0", "req_1", "claude-opus-4-8", 700, 90)


def test_orjson_is_imported_only_once_there_are_megabytes_to_decode() -> None:
    code = ("import importlib.util, sys; from thrifty.ledger import transcripts as t; "
            f"one = {line()!r} + b'\\n'; t.parse_lines(one * 20); small = 'orjson' in sys.modules; "
            "n = len(t.parse_lines(one * (t.FAST_DECODER_AFTER // len(one) + 1)).records); "
            "print(small, 'orjson' in sys.modules, importlib.util.find_spec('orjson') is not None, n)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(SERVER_DIR)})
    small, large, available, count = result.stdout.split()
    assert small == "False"
    assert large == available
    assert int(count) > 1000


def test_a_deeply_nested_usage_line_is_malformed_not_a_crash() -> None:
    nested = b'{"message":{"usage":{"input_tokens":1},"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    result = parse_lines(nested + b"\n" + line() + b"\n")
    assert (result.malformed, len(result.records)) == (1, 1)
