"""The bench's usage model (harness.usage_model): cache reads, writes and input from the requests themselves."""

from __future__ import annotations

import json

from harness import ApiRequest, reply
from harness.usage_model import PrefixCacheUsage, cache_layout


def request(messages: list[dict[str, object]], index: int = 0) -> ApiRequest:
    body = {"model": "m", "system": [{"type": "text", "text": "S" * 400, "cache_control": {"type": "ephemeral"}}],
            "tools": [{"name": "T", "input_schema": {}}], "messages": messages}
    return ApiRequest(index, "/v1/messages", {}, body, json.dumps(body).encode())


def user(text: str, marked: bool = True) -> dict[str, object]:
    block: dict[str, object] = {"type": "text", "text": text}
    if marked:
        block["cache_control"] = {"type": "ephemeral"}
    return {"role": "user", "content": [block]}


def test_the_first_request_writes_up_to_its_breakpoint_and_the_next_reads_what_it_wrote() -> None:
    rule = PrefixCacheUsage()
    first = request([user("Q" * 800)])
    layout, breakpoint = cache_layout(first.body)
    assert breakpoint == len(layout)  # the last block is marked: nothing after the breakpoint
    one = rule(first, reply("A").blocks)
    assert (one.cache_read, one.input_tokens) == (0, 0) and one.cache_write_5m == -(-len(layout) // 4)
    second = request([user("Q" * 800, marked=False), {"role": "assistant", "content": [{"type": "text",
                      "text": "A"}]}, user("more " * 100)], 1)
    two = rule(second, reply("B").blocks)
    assert two.cache_read == -(-breakpoint // 4)  # the moved marker does not change the shared bytes
    layout2, breakpoint2 = cache_layout(second.body)
    assert two.cache_write_5m == -(-(breakpoint2 - breakpoint) // 4)
    assert two.output_tokens == 2  # '["B"]' is 5 bytes


def test_each_conversation_keeps_its_own_cache() -> None:
    rule = PrefixCacheUsage()
    rule(request([user("main prompt")]), reply("x").blocks)
    other = rule(request([user("a subagent's prompt")]), reply("y").blocks)
    assert other.cache_read == 0
