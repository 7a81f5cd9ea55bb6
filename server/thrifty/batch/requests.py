"""The Messages request of one item: the context as a cached system block, the item's prompt as the user turn.

Typed with the SDK's own request types, so a shape the API does not take fails the type check. The cache
breakpoint uses the 1-hour lifetime: batch requests run over minutes to hours, and the 5-minute cache would mostly
be gone between them (the batch-processing guide advises the same).
"""

from __future__ import annotations

from anthropic.types import MessageParam, TextBlockParam
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming


def context_blocks(context: str) -> list[TextBlockParam]:
    if not context:
        return []
    return [{"type": "text", "text": context, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]


def user_messages(prompt: str) -> list[MessageParam]:
    return [{"role": "user", "content": prompt}]


def params(model: str, max_tokens: int, context: str, prompt: str) -> MessageCreateParamsNonStreaming:
    """`MessageCreateParamsNonStreaming` for one item."""
    body: MessageCreateParamsNonStreaming = {"model": model, "max_tokens": max_tokens,
                                             "messages": user_messages(prompt)}
    system = context_blocks(context)
    if system:
        body["system"] = system
    return body
