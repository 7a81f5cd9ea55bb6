"""The watch schema: one pydantic model per view feeds `thrifty watch` (rich and --jsonl). Money in USD."""

from __future__ import annotations

from pydantic import BaseModel, Field

from thrifty.report.budget_models import BudgetBar, State
from thrifty.report.models import CacheMissRow


class TokenCounts(BaseModel):
    input: int = 0
    output: int = 0
    cache_write: int = 0
    cache_read: int = 0
    total: int = 0


class AgentView(BaseModel):
    agent_id: str = Field(description="'main' for the session's own thread, else the subagent id")
    agent_type: str | None
    models: list[str]
    cost_usd: float | None
    tokens: TokenCounts
    turns: int
    last_activity: str | None


class SessionView(BaseModel):
    session_id: str
    project: str
    cost_usd: float | None
    burn_usd_per_hour: float = Field(description="cost of the last burn window, per hour")
    tokens: TokenCounts
    cache_hit_ratio: float | None
    turns: int
    first_activity: str | None
    last_activity: str | None
    agents: list[AgentView]
    budgets: list[BudgetBar]
    budget_state: State
    cache_misses: list[CacheMissRow] = Field(description="the most recent ones")
    cache_miss_cost_usd: float = 0.0


class FleetView(BaseModel):
    updated_at: str
    window_minutes: int
    burn_minutes: int
    sessions: list[SessionView]
    today_cost_usd: float | None
    today_tokens: int
    daily_budgets: list[BudgetBar]
    cache_misses: list[CacheMissRow] = Field(description="the most recent today, all sessions")
