"""What the batch lane must know about a model: its context window, the smallest prompt it caches, the default.

Context windows from the models overview pages (platform.claude.com, Aug-Oct 2026): the 4.6 generation and later
run 1M tokens natively; Haiku 4.5, Sonnet 4.5 / 4 and older 200k. Minimum cacheable prompt (prompt caching page):
4,096 tokens for Haiku 4.5 and Opus 4.5 and later, 2,048 for the Haiku 3 models, 1,024 for the others; shorter
prefixes are not cached, so a plan prices them as plain input.
"""

from __future__ import annotations

from thrifty.ledger.pricing import normalize_model

DEFAULT_MODEL = "claude-haiku-5-5"  # the cheapest current model ($0.10 / $0.50 per million tokens)

# Canonical ids (`pricing.PRICES` keys); a model thrifty does not know gets the 1M window and 1,024 minimum.
_WINDOW_200K = {"claude-haiku-4-5", "claude-sonnet-4-5", "claude-sonnet-4", "claude-opus-4-5", "claude-opus-4-1",
                "claude-opus-4", "claude-3-7-sonnet", "claude-3-5-sonnet", "claude-3-5-haiku", "claude-3-opus",
                "claude-3-haiku"}
_CACHE_4096 = {"claude-haiku-4-5", "claude-haiku-5-5", "claude-opus-4-5", "claude-opus-4-6", "claude-opus-4-7",
               "claude-opus-4-8", "claude-opus-5", "claude-opus-5-5"}
_CACHE_2048 = {"claude-3-5-haiku", "claude-3-haiku"}


def canonical(model: str) -> str | None:
    """The price-table id of a model name, or None when thrifty does not know it."""
    return normalize_model(model).canonical


def context_window(model: str) -> int:
    """Input plus output tokens one request of `model` may use."""
    return 200_000 if canonical(model) in _WINDOW_200K else 1_000_000


def min_cacheable_tokens(model: str) -> int:
    name = canonical(model)
    if name in _CACHE_2048:
        return 2_048
    if name in _CACHE_4096:
        return 4_096
    return 1_024
