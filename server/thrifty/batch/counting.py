"""Input tokens of a job's requests: exact from the token-counting endpoint with a key, else estimated.

The shared prefix is the context as a system block; its size is the count with it minus the count without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import anthropic

from thrifty.batch.client import describe
from thrifty.batch.errors import BatchError
from thrifty.batch.render import Item
from thrifty.batch.requests import context_blocks, user_messages
from thrifty.textout import estimate_tokens

COUNT_WORKERS = 4  # calls in flight: ~4x faster plans; the SDK backs off on 429s from the endpoint's rate limit
ESTIMATED_NOTE = ("token counts are estimated (3 characters a token): set ANTHROPIC_API_KEY for exact counts from "
                  "the token-counting endpoint (free)")


class Counts:
    """`prefix`: tokens of the shared context; `per_item`: custom_id -> all input tokens of that request."""

    __slots__ = ("prefix", "per_item", "exact")

    def __init__(self, prefix: int, per_item: dict[str, int], exact: bool) -> None:
        self.prefix, self.per_item, self.exact = prefix, per_item, exact


def estimate(context: str, items: Sequence[Item]) -> Counts:
    prefix = estimate_tokens(context)
    return Counts(prefix, {i.custom_id: prefix + estimate_tokens(i.prompt) for i in items}, exact=False)


def count(client: anthropic.Anthropic, model: str, context: str, items: Sequence[Item],
          advance: Callable[[], None] = lambda: None) -> Counts:
    """Exact counts, one call per item (a few at a time) plus two for the prefix.

    Raises:
        BatchError: a call failed after the SDK's retries (the message says which and why).
    """
    system = context_blocks(context)

    def one(prompt: str, with_context: bool) -> int:
        try:
            if with_context and system:
                return client.messages.count_tokens(model=model, system=system,
                                                    messages=user_messages(prompt)).input_tokens
            return client.messages.count_tokens(model=model, messages=user_messages(prompt)).input_tokens
        except anthropic.AnthropicError as exc:
            raise BatchError(describe(exc, "counting tokens")) from None

    def item_count(item: Item) -> tuple[str, int]:
        found = one(item.prompt, True)
        advance()
        return item.custom_id, found

    prefix = one(".", True) - one(".", False) if system else 0
    with ThreadPoolExecutor(max_workers=COUNT_WORKERS) as pool:  # the SDK client is shared across threads
        per_item = dict(pool.map(item_count, items))
    return Counts(prefix, per_item, exact=True)
