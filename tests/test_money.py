"""One USD formatter for every view: small amounts keep two significant digits, never "$0.00" when non-zero."""

from __future__ import annotations

import pytest

from thrifty.money import usd


@pytest.mark.parametrize(("amount", "text"), [
    (0.0001, "$0.0001"), (0.00012, "$0.00012"), (0.0123, "$0.012"), (0.05, "$0.05"), (0.0999, "$0.10"),
    (0.1, "$0.10"), (0.5, "$0.50"), (12.345, "$12.35"), (1234.5, "$1,234.50"), (0.0, "$0.00"), (-0.0123, "-$0.012"),
    (0.000000001, "$0.000000001"),
])
def test_amounts_keep_enough_digits(amount: float, text: str) -> None:
    assert usd(amount) == text


def test_no_amount_reads_as_missing_not_zero() -> None:
    assert usd(None) == "n/a"
    assert usd(None, missing="-") == "-"
