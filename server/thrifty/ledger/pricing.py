"""Claude model prices (USD per million tokens) and model-name normalisation; standard library only.

Prices are the Claude API list prices (platform.claude.com pricing page, Aug 2026, and the model overview pages).
A 5-minute cache write costs 1.25x input, a 1-hour write 2x input, a cache read 0.1x input. Where ccusage 20.0.24
(LiteLLM's table) adds a rule the page lists, we apply the same rule so costs agree with it:
- Sonnet 4 / 4.5 requests over 200k tokens (the 1M-context beta): each token field of a request is priced at the
  long-context rate for the part of it above 200,000 tokens.
- Fast mode (`usage.speed == "fast"`): Opus 4.6/4.7 at 6x, Opus 4.8 and Opus 5 at 2x.
- Bedrock regional inference profiles (`us.`, `eu.`, `jp.`, `au.`) of 4.5-and-later models cost 1.1x.
- Message Batches (the ledger's `speed == "batch"`, results of `thrifty batch`): half the list price of every token
  kind, cache writes and reads included.
Unknown models have no price: `cost()` returns None and reports show them as unpriced, never as free.
"""

from __future__ import annotations

import re

FIELD_TIER_TOKENS = 200_000  # per token field of one request (Sonnet 4 / 4.5 long context)
PROMPT_TIER_TOKENS = 100_000  # whole prompt of one request (Haiku 5.5: input + cache writes + cache reads)
REGIONAL_MULTIPLIER = 1.1
BATCH_MULTIPLIER = 0.5
BATCH_SPEED = "batch"  # the `speed` the ledger records for Message Batches results: a price tier like "fast"
_REGIONAL_PREFIXES = ("us.", "eu.", "jp.", "au.")


class Price:
    """Per-million-token prices of one model; `above_field_tier` / `above_prompt_tier` hold long-context rates."""

    __slots__ = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read", "above_field_tier",
                 "above_prompt_tier", "fast_multiplier", "regional_premium")

    def __init__(
        self, input: float, output: float, cache_read: float | None = None, *, cache_write_5m: float | None = None,
        above_field_tier: Price | None = None, above_prompt_tier: Price | None = None,
        fast_multiplier: float = 1.0, regional_premium: bool = True,
    ) -> None:
        self.input = input
        self.output = output
        self.cache_write_5m = input * 1.25 if cache_write_5m is None else cache_write_5m
        self.cache_write_1h = input * 2
        self.cache_read = input / 10 if cache_read is None else cache_read
        self.above_field_tier = above_field_tier
        self.above_prompt_tier = above_prompt_tier
        self.fast_multiplier = fast_multiplier
        self.regional_premium = regional_premium

    def rates(self) -> tuple[float, float, float, float, float]:
        """(input, output, 5m write, 1h write, cache read) in USD per token."""
        return (self.input / 1e6, self.output / 1e6, self.cache_write_5m / 1e6, self.cache_write_1h / 1e6,
                self.cache_read / 1e6)


_SONNET_LONG = Price(6, 22.5)
_OPUS_OLD = Price(15, 75, regional_premium=False)

# canonical id -> price. Canonical ids are the dateless model names.
PRICES: dict[str, Price] = {
    "claude-opus-5-5": Price(4, 20, 0.20),
    "claude-opus-5": Price(5, 25, fast_multiplier=2),
    "claude-opus-4-8": Price(5, 25, fast_multiplier=2),
    "claude-opus-4-7": Price(5, 25, fast_multiplier=6),
    "claude-opus-4-6": Price(5, 25, fast_multiplier=6),
    "claude-opus-4-5": Price(5, 25),
    "claude-opus-4-1": _OPUS_OLD,
    "claude-opus-4": _OPUS_OLD,
    "claude-sonnet-5-5": Price(2, 10, 0.20),
    "claude-sonnet-5": Price(2, 10),
    "claude-sonnet-4-6": Price(3, 15),
    "claude-sonnet-4-5": Price(3, 15, above_field_tier=_SONNET_LONG),
    "claude-sonnet-4": Price(3, 15, above_field_tier=_SONNET_LONG, regional_premium=False),
    "claude-haiku-5-5": Price(0.10, 0.50, 0.01, above_prompt_tier=Price(0.50, 2.50, 0.05)),
    "claude-haiku-4-5": Price(1, 5),
    "claude-fable-5-1": Price(10, 50, 0.25),
    "claude-mythos-5-1": Price(10, 50, 0.25),
    "claude-fable-5": Price(10, 50),
    "claude-mythos-5": Price(10, 50),
    # Retired models still found in older histories.
    "claude-3-7-sonnet": Price(3, 15, regional_premium=False),
    "claude-3-5-sonnet": Price(3, 15, regional_premium=False),
    "claude-3-5-haiku": Price(0.80, 4, regional_premium=False),
    "claude-3-opus": Price(15, 75, regional_premium=False),
    "claude-3-haiku": Price(0.25, 1.25, 0.03, cache_write_5m=0.30, regional_premium=False),
}

# Other names Claude Code, the API or the cloud consoles use for the same models.
ALIASES: dict[str, str] = {
    "claude-opus-4-0": "claude-opus-4",
    "claude-sonnet-4-0": "claude-sonnet-4",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet",
    "claude-3-5-sonnet-latest": "claude-3-5-sonnet",
    "claude-3-5-haiku-latest": "claude-3-5-haiku",
    "claude-3-opus-latest": "claude-3-opus",
}

_DATE_SUFFIX = re.compile(r"-(?:\d{8}|latest)$")
_BEDROCK_VERSION = re.compile(r"-v\d+(?::\d+)?$")
_PROVIDER_PREFIXES = ("anthropic/", "bedrock/", "vertex_ai/", "vertex/")


class ModelName:
    """A model name as found in a transcript, reduced to a price-table id (None if unknown) and a region flag."""

    __slots__ = ("raw", "canonical", "regional")

    def __init__(self, raw: str, canonical: str | None, regional: bool) -> None:
        self.raw, self.canonical, self.regional = raw, canonical, regional


_NAME_CACHE: dict[str, ModelName] = {}


def normalize_model(raw: str) -> ModelName:
    """`claude-opus-4-8[1m]`, `claude-sonnet-4-5-20250929`, `us.anthropic.claude-haiku-4-5-20251001-v1:0`,
    `claude-opus-4-1@20250805`, `vertex_ai/claude-sonnet-4-5` -> their price-table ids."""
    cached = _NAME_CACHE.get(raw)
    if cached is not None:
        return cached
    name = raw.strip().lower()
    bracket = name.find("[")
    if bracket > 0:
        name = name[:bracket]  # context-window tags such as [1m]
    for prefix in _PROVIDER_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
    regional = name.startswith(_REGIONAL_PREFIXES)
    dot = name.find("anthropic.")
    if dot >= 0:
        name = name[dot + len("anthropic."):]
    name = name.split("@", 1)[0]
    name = _BEDROCK_VERSION.sub("", name)
    if name.endswith("-fast"):
        name = name[:-5]
    canonical = _lookup(name)
    result = ModelName(raw, canonical, regional)
    _NAME_CACHE[raw] = result
    return result


def _lookup(name: str) -> str | None:
    for candidate in (name, _DATE_SUFFIX.sub("", name)):
        if candidate in PRICES:
            return candidate
        if candidate in ALIASES:
            return ALIASES[candidate]
    return None


def price_for(model: str | None) -> Price | None:
    """The price of a transcript's model name, or None when the model is unknown."""
    if not model:
        return None
    canonical = normalize_model(model).canonical
    return PRICES.get(canonical) if canonical else None


def multiplier(model: str, speed: str | None) -> float:
    """Fast-mode, batch and regional-endpoint multipliers for one model name (1.0 when none applies)."""
    name = normalize_model(model)
    price = PRICES.get(name.canonical) if name.canonical else None
    if price is None:
        return 1.0
    factor = price.fast_multiplier if speed == "fast" else BATCH_MULTIPLIER if speed == BATCH_SPEED else 1.0
    if name.regional and price.regional_premium:
        factor *= REGIONAL_MULTIPLIER
    return factor


class TokenSums:
    """Token sums of a group of requests of one model and speed, with the parts that long-context tiers reprice.

    `plain` = (input, output, 5m write, 1h write, cache read); `above_field` = for each field, the sum over requests of
    the part above FIELD_TIER_TOKENS; `in_long_prompts` = for each field, its sum over requests whose prompt exceeded
    PROMPT_TIER_TOKENS. `queries.TOKEN_SUMS_SQL` computes all three in one pass.
    """

    __slots__ = ("plain", "above_field", "in_long_prompts")

    def __init__(self, plain: tuple[int, ...], above_field: tuple[int, ...] = (0,) * 5,
                 in_long_prompts: tuple[int, ...] = (0,) * 5) -> None:
        self.plain, self.above_field, self.in_long_prompts = plain, above_field, in_long_prompts

    @classmethod
    def of_request(cls, tokens: tuple[int, int, int, int, int]) -> TokenSums:
        """The sums for a single request."""
        above = tuple(max(t - FIELD_TIER_TOKENS, 0) for t in tokens)
        prompt = tokens[0] + tokens[2] + tokens[3] + tokens[4]
        return cls(tokens, above, tokens if prompt > PROMPT_TIER_TOKENS else (0,) * 5)


def cost(model: str | None, speed: str | None, sums: TokenSums) -> float | None:
    """USD for these requests, or None when the model has no known price."""
    price = price_for(model)
    if price is None or model is None:
        return None
    rates = price.rates()
    if price.above_field_tier is not None:
        high = price.above_field_tier.rates()
        total = sum(r * (n - a) + h * a for r, h, n, a in zip(rates, high, sums.plain, sums.above_field, strict=True))
    elif price.above_prompt_tier is not None:
        high = price.above_prompt_tier.rates()
        total = sum(r * (n - a) + h * a for r, h, n, a in zip(rates, high, sums.plain, sums.in_long_prompts,
                                                                strict=True))
    else:
        total = sum(r * n for r, n in zip(rates, sums.plain, strict=True))
    return total * multiplier(model, speed)
