"""Model names as transcripts write them map to list prices; unknown models are unpriced, never free."""

from __future__ import annotations

import pytest

from thrifty.ledger.pricing import TokenSums, cost, normalize_model

MILLION = 1_000_000


def one_request(model: str, tokens: tuple[int, int, int, int, int], speed: str | None = None) -> float | None:
    return cost(model, speed, TokenSums.of_request(tokens))


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("claude-opus-4-8", "claude-opus-4-8"),
        ("claude-opus-4-6[1m]", "claude-opus-4-6"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("claude-opus-4-1@20250805", "claude-opus-4-1"),
        ("vertex_ai/claude-sonnet-4-6", "claude-sonnet-4-6"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku"),
        ("claude-opus-4-0", "claude-opus-4"),
        ("gpt-5", None),
        ("claude-nonesuch-9", None),
    ],
)
def test_model_names_normalise_to_price_table_ids(raw: str, canonical: str | None) -> None:
    assert normalize_model(raw).canonical == canonical


@pytest.mark.parametrize(
    ("model", "per_million"),
    [
        ("claude-opus-4-8", (5, 25, 6.25, 10, 0.5)),
        ("claude-sonnet-4-6", (3, 15, 3.75, 6, 0.3)),
        ("claude-haiku-4-5", (1, 5, 1.25, 2, 0.1)),
        ("claude-opus-4-1-20250805", (15, 75, 18.75, 30, 1.5)),
        ("claude-sonnet-5", (2, 10, 2.5, 4, 0.2)),
        ("claude-opus-5-5", (4, 20, 5, 8, 0.2)),
    ],
)
def test_each_token_kind_has_its_list_price(model: str, per_million: tuple[float, ...]) -> None:
    for index, price in enumerate(per_million):
        tokens = tuple(MILLION // 10 if i == index else 0 for i in range(5))
        assert one_request(model, (tokens[0], tokens[1], tokens[2], tokens[3], tokens[4])) == pytest.approx(price / 10)


def test_unknown_and_missing_models_have_no_price() -> None:
    assert one_request("claude-nonesuch-9", (1, 1, 1, 1, 1)) is None
    assert cost(None, None, TokenSums.of_request((1, 1, 1, 1, 1))) is None


def test_fast_mode_and_regional_endpoints_multiply_the_price() -> None:
    base = one_request("claude-opus-4-6", (MILLION, 0, 0, 0, 0))
    assert base is not None
    assert one_request("claude-opus-4-6", (MILLION, 0, 0, 0, 0), speed="fast") == pytest.approx(6 * base)
    assert one_request("claude-opus-4-8", (MILLION, 0, 0, 0, 0), speed="fast") == pytest.approx(10)
    assert one_request("claude-sonnet-4-6", (MILLION, 0, 0, 0, 0), speed="fast") == pytest.approx(3)
    assert one_request("us.anthropic.claude-haiku-4-5-20251001-v1:0", (MILLION, 0, 0, 0, 0)) == pytest.approx(1.1)
    assert one_request("global.anthropic.claude-haiku-4-5-20251001-v1:0", (MILLION, 0, 0, 0, 0)) == pytest.approx(1)


def test_sonnet_4_5_long_context_reprices_the_part_of_a_field_above_200k() -> None:
    assert one_request("claude-sonnet-4-5", (300_000, 0, 0, 0, 0)) == pytest.approx((200_000 * 3 + 100_000 * 6) / 1e6)
    assert one_request("claude-sonnet-4-6", (300_000, 0, 0, 0, 0)) == pytest.approx(0.9)


def test_haiku_5_5_prices_a_long_prompt_at_its_higher_rate() -> None:
    short = one_request("claude-haiku-5-5", (50_000, 1_000, 0, 0, 0))
    long = one_request("claude-haiku-5-5", (150_000, 1_000, 0, 0, 0))
    assert short == pytest.approx((50_000 * 0.10 + 1_000 * 0.50) / 1e6)
    assert long == pytest.approx((150_000 * 0.50 + 1_000 * 2.50) / 1e6)


def test_aggregated_sums_price_the_same_as_requests_one_by_one() -> None:
    requests = [(10, 500, 250_000, 0, 900_000), (3, 20, 0, 40_000, 100_000), (400_000, 1, 0, 0, 0)]
    one_by_one = sum(one_request("claude-sonnet-4-5", r) or 0 for r in requests)
    singles = [TokenSums.of_request(r) for r in requests]
    summed = TokenSums(*(tuple(sum(v) for v in zip(*(getattr(s, name) for s in singles), strict=True))
                         for name in ("plain", "above_field", "in_long_prompts")))
    assert cost("claude-sonnet-4-5", None, summed) == pytest.approx(one_by_one)
