"""A job's plan: what would be sent, what is refused and why, and what it costs three ways.

Costs are per request through `pricing.cost` (so long-prompt tiers apply), output at `max_tokens` for every item:
an upper bound, since a request stops where its answer ends. The three ways:
- batch, cached prefix: the first request writes the context to the 1-hour cache, every later one reads it (batch
  cache hits are best-effort, so this is the floor);
- batch, no cache: every request pays the context as plain input;
- interactive subagents: the same requests at list price, each with its own copy of the context (without the
  system prompt and tools Claude Code adds to each subagent, so the real figure is higher).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from thrifty.batch.counting import ESTIMATED_NOTE, Counts
from thrifty.batch.job import Job
from thrifty.batch.models import context_window, min_cacheable_tokens
from thrifty.batch.render import Item, Rendered
from thrifty.ledger.pricing import BATCH_SPEED, TokenSums, cost, price_for


class CostRow(BaseModel):
    scenario: str
    requests: int
    input_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    max_output_tokens: int
    input_cost_usd: float | None = Field(description="input, cache writes and reads; null for an unpriced model")
    max_cost_usd: float | None = Field(description="with every item's output at max_tokens")


class RefusedItem(BaseModel):
    item: str
    reason: str


class Plan(BaseModel):
    job: str
    path: str
    model: str
    max_tokens: int
    counts: str = Field(description="'exact' (token-counting endpoint) or 'estimated'")
    items: int = Field(description="items that would be sent")
    refused: list[RefusedItem]
    prefix_tokens: int = Field(description="tokens of the shared context")
    prefix_cached: bool
    input_tokens: int = Field(description="all input tokens of the items that would be sent, context included")
    largest_request_tokens: int
    context_window: int
    batches: int = Field(description="Message Batches the items are split into")
    costs: list[CostRow]
    notes: list[str] = []


def sendable(rendered: Rendered, counts: Counts, job: Job) -> tuple[list[Item], list[RefusedItem]]:
    """The items that fit, and the refused ones with their reason (rendering problems, or over the context)."""
    window = context_window(job.spec.model)
    keep, refused = [], []
    for item in rendered.items:
        if item.refused:
            refused.append(RefusedItem(item=item.key, reason=item.refused))
            continue
        need = counts.per_item[item.custom_id] + job.spec.max_tokens
        if need > window:
            refused.append(RefusedItem(item=item.key, reason=(
                f"{counts.per_item[item.custom_id]:,} input + {job.spec.max_tokens:,} max_tokens = {need:,} tokens "
                f"> {job.spec.model}'s {window:,}-token context")))
            continue
        keep.append(item)
    return keep, refused


def build_plan(job: Job, rendered: Rendered, counts: Counts, batches: int) -> Plan:
    spec = job.spec
    keep, refused = sendable(rendered, counts, job)
    totals = [counts.per_item[i.custom_id] for i in keep]
    cached = counts.prefix >= min_cacheable_tokens(spec.model)
    notes = [] if counts.exact else [ESTIMATED_NOTE]
    if price_for(spec.model) is None:
        notes.append(f"no price known for {spec.model}: costs are not shown")
    if rendered.context and not cached:
        notes.append(f"the context ({counts.prefix:,} tokens) is under {spec.model}'s minimum cacheable prompt "
                     f"({min_cacheable_tokens(spec.model):,} tokens): it is not cached")
    if refused:
        notes.append(f"{len(refused)} item{'s' if len(refused) != 1 else ''} refused; they are never sent")
    costs = [
        _row("batch, cached prefix", spec.model, BATCH_SPEED, totals, counts.prefix if cached else 0, spec.max_tokens),
        _row("batch, no cache", spec.model, BATCH_SPEED, totals, 0, spec.max_tokens),
        _row("interactive subagents, list price", spec.model, None, totals, 0, spec.max_tokens),
    ]
    return Plan(
        job=job.name, path=str(job.path), model=spec.model, max_tokens=spec.max_tokens,
        counts="exact" if counts.exact else "estimated", items=len(keep), refused=refused,
        prefix_tokens=counts.prefix, prefix_cached=cached and bool(rendered.context), input_tokens=sum(totals),
        largest_request_tokens=max(totals, default=0), context_window=context_window(spec.model), batches=batches,
        costs=costs, notes=notes,
    )


def _row(scenario: str, model: str, speed: str | None, totals: list[int], prefix: int, max_tokens: int) -> CostRow:
    inputs = writes = reads = 0
    input_cost = max_cost = 0.0
    priced = price_for(model) is not None
    for n, total in enumerate(totals):
        write, read = (prefix, 0) if n == 0 else (0, prefix)
        plain = total - prefix
        inputs, writes, reads = inputs + plain, writes + write, reads + read
        if priced:
            input_cost += cost(model, speed, TokenSums.of_request((plain, 0, 0, write, read))) or 0.0
            max_cost += cost(model, speed, TokenSums.of_request((plain, max_tokens, 0, write, read))) or 0.0
    return CostRow(scenario=scenario, requests=len(totals), input_tokens=inputs, cache_write_tokens=writes,
                   cache_read_tokens=reads, max_output_tokens=max_tokens * len(totals),
                   input_cost_usd=input_cost if priced else None, max_cost_usd=max_cost if priced else None)
