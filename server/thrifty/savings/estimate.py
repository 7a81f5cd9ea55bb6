"""The dollar estimates of the savings report, at the model and cache TTL of the turn that made the call.

- Tokens that enter the context are priced as the cache write the next request makes of them: 5-minute write
  price, or 1-hour when the calling turn's own cache writes were 1-hour (subscription main threads).
- A request avoided (or wasted) is priced as the cache reads of re-sending that turn's prompt once.
Carrying the tokens through later turns is not counted, so both savings and waste are on the low side.
A call whose turn is not in the ledger is priced at the session's most used model; an unknown model gives None.
"""

from __future__ import annotations

from thrifty.ledger.pricing import multiplier, price_for


class TurnPrice:
    """Where a call was made: its model, speed, whether it wrote 1-hour cache, and the prompt it re-sent."""

    __slots__ = ("model", "speed", "one_hour", "prompt_tokens")

    def __init__(self, model: str | None, speed: str | None = None, one_hour: bool = False,
                 prompt_tokens: int = 0) -> None:
        self.model, self.speed, self.one_hour, self.prompt_tokens = model, speed, one_hour, prompt_tokens

    def _rates(self) -> tuple[float, float, float] | None:
        price = price_for(self.model)
        if price is None or self.model is None:
            return None
        factor = multiplier(self.model, self.speed) / 1e6
        return price.cache_write_5m * factor, price.cache_write_1h * factor, price.cache_read * factor

    def context_usd(self, tokens: int) -> float | None:
        """Tokens brought into the context, priced as the cache write of the next request."""
        rates = self._rates()
        return None if rates is None else tokens * (rates[1] if self.one_hour else rates[0])

    def resend_usd(self, prompt_tokens: int) -> float | None:
        """One request re-sending `prompt_tokens` of context, priced as cache reads."""
        rates = self._rates()
        return None if rates is None else prompt_tokens * rates[2]


def add(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else a + b
