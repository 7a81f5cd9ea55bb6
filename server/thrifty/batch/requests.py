"""The Messages request of one item: the context as a cached system block, the item's prompt as the user turn.

The cache breakpoint uses the 1-hour lifetime: batch requests run over minutes to hours, and the 5-minute cache
would mostly be gone between them (the batch-processing guide advises the same).
"""

from __future__ import annotations

from typing import Any

CACHE_CONTROL = {"type": "ephemeral", "ttl": "1h"}


def context_blocks(context: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": context, "cache_control": dict(CACHE_CONTROL)}] if context else []


def user_messages(prompt: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": prompt}]


def params(model: str, max_tokens: int, context: str, prompt: str) -> dict[str, Any]:
    """`MessageCreateParamsNonStreaming` for one item."""
    body: dict[str, Any] = {"model": model, "max_tokens": max_tokens, "messages": user_messages(prompt)}
    system = context_blocks(context)
    if system:
        body["system"] = system
    return body
