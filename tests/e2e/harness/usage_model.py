"""Usage computed from the requests themselves, as prompt caching bills them, for cost comparisons (the bench's A/B).

Each request is laid out in the order the API caches it (tools, system, then the messages, block by block) with the
`cache_control` markers taken out, so a moved marker does not change the bytes. For one conversation (the main
thread, or one subagent):
- cache reads: the prefix this request shares with the conversation's previous request, up to where that request
  put its last cache breakpoint (what it wrote to the cache);
- cache writes (5-minute): the rest, up to this request's last cache breakpoint;
- input: what comes after that breakpoint;
- output: the answer's blocks as JSON.
Tokens are bytes / `bytes_per_token` (4 by default), rounded up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .requests import ApiRequest
from .script import Block, Text, Usage


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def cache_layout(body: dict[str, Any]) -> tuple[bytes, int]:
    """The request's bytes in cache order without markers, and the offset just after its last cache breakpoint."""
    parts: list[bytes] = []
    offset = breakpoint = 0

    def add(obj: Any, marked: bool) -> None:
        nonlocal offset, breakpoint
        data = json.dumps(_strip(obj), separators=(",", ":"), ensure_ascii=False).encode()
        parts.append(data)
        offset += len(data)
        if marked:
            breakpoint = offset

    def marked(obj: Any) -> bool:
        return isinstance(obj, dict) and "cache_control" in obj

    for tool in body.get("tools") or []:
        add(tool, marked(tool))
    system = body.get("system")
    for block in system if isinstance(system, list) else [system] if system else []:
        add(block, marked(block))
    for message in body.get("messages") or []:
        content = message.get("content")
        add({"role": message.get("role")}, False)
        for block in content if isinstance(content, list) else [content]:
            add(block, marked(block))
    return b"".join(parts), breakpoint


def _shared(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class PrefixCacheUsage:
    """A stateful usage rule (`Script(usage=PrefixCacheUsage())`): see the module docstring."""

    def __init__(self, bytes_per_token: int = 4) -> None:
        self.bytes_per_token = bytes_per_token
        self._previous: dict[str, tuple[bytes, int]] = {}  # conversation -> (layout, breakpoint)

    def _tokens(self, n: int) -> int:
        return -(-n // self.bytes_per_token)

    def __call__(self, request: ApiRequest, blocks: Sequence[Block]) -> Usage:
        layout, breakpoint = cache_layout(request.body)
        key = request.first_user_text()  # one conversation: the main thread's prompt or a subagent's
        previous, previous_breakpoint = self._previous.get(key, (b"", 0))
        self._previous[key] = (layout, breakpoint)
        read = min(_shared(previous, layout), previous_breakpoint)
        write = max(breakpoint - read, 0)
        new = len(layout) - read - write
        answer = json.dumps([b.text if isinstance(b, Text) else {"name": b.name, "input": b.input}
                             for b in blocks]).encode()
        return Usage(input_tokens=self._tokens(new), output_tokens=max(1, self._tokens(len(answer))),
                     cache_read=self._tokens(read), cache_write_5m=self._tokens(write))
