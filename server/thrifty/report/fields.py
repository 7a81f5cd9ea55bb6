"""The token, cost and ratio fields every usage row shares, from a `queries.Usage` (used by every report view)."""

from __future__ import annotations

from typing import TypedDict

from thrifty.ledger.queries import Usage
from thrifty.report.models import Totals


class UsageValues(TypedDict):
    """The `UsageFields` of one row, typed for `Row(**usage_fields(usage))`."""

    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cache_write_5m_tokens: int
    cache_write_1h_tokens: int
    total_tokens: int
    cost_usd: float | None
    unpriced_models: list[str]
    cache_hit_ratio: float | None
    turns: int


def usage_fields(usage: Usage) -> UsageValues:
    """The token, cost and ratio fields every usage row shares."""
    return {
        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
        "cache_creation_tokens": usage.cache_creation_tokens, "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_5m_tokens": usage.cache_write_5m_tokens, "cache_write_1h_tokens": usage.cache_write_1h_tokens,
        "total_tokens": usage.total_tokens, "cost_usd": usage.cost_usd, "unpriced_models": list(usage.unpriced_models),
        "cache_hit_ratio": usage.cache_hit_ratio, "turns": usage.turns,
    }


def totals_of(usage: Usage) -> Totals:
    return Totals(**usage_fields(usage), models=usage.models, first_activity=usage.first_ts or None,
                  last_activity=usage.last_ts or None)
