"""USD amounts as text, the one way every view writes them (reports, budget messages, watch, the summary).

At least two decimals; below $0.10, two significant digits, so small budgets stay readable: $0.0001, $0.00012,
$0.012, $0.50, $12.35, $1,234.50. A non-zero amount never reads "$0.00". Standard library only (hooks use it).
"""

from __future__ import annotations

SIGNIFICANT_BELOW = 0.10  # under this, two significant digits instead of cents


def usd(value: float | None, missing: str = "n/a") -> str:
    """`value` as dollars, or `missing` when there is no amount (no price known)."""
    if value is None:
        return missing
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if amount == 0 or amount >= SIGNIFICANT_BELOW:
        return f"{sign}${amount:,.2f}"
    exponent = int(f"{amount:.1e}".split("e")[1])  # after rounding to two digits: 0.0999 -> 1.0e-01
    text = f"{amount:.{max(2, 1 - exponent)}f}"
    whole, _, decimals = text.partition(".")
    return f"{sign}${whole}.{decimals[:2]}{decimals[2:].rstrip('0')}"
