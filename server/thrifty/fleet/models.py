"""The fleet schema: one pydantic model per view feeds `thrifty watch` (rich and --jsonl), `thrifty budget` (table
and --json) and the `cache-misses` report view. Money in USD; `ratio` = spent / limit."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

State = Literal["ok", "warn", "over", "stop"]


class TokenCounts(BaseModel):
    input: int = 0
    output: int = 0
    cache_write: int = 0
    cache_read: int = 0
    total: int = 0


class BudgetBar(BaseModel):
    level: Literal["session", "subagent", "daily"]
    unit: Literal["usd", "tokens"]
    agent_id: str | None = Field(None, description="the subagent, for level subagent")
    limit: float = Field(description="configured amount plus raises")
    raised: float = 0.0
    spent: float
    ratio: float
    state: State
    raise_command: str = Field(description="the `thrifty budget raise` line that lifts this budget")


class CacheMissRow(BaseModel):
    session_id: str
    project: str
    agent_id: str
    ts: str
    model: str | None
    previous_model: str | None
    cause: Literal["compaction", "model_switch", "idle", "prefix_changed"]
    detail: str
    gap_seconds: float
    cache_read_tokens: int
    cache_write_tokens: int
    previous_cached_tokens: int
    rewritten_tokens: int = Field(description="tokens written that the previous turn had cached")
    extra_cost_usd: float | None = Field(description="rewritten x (write rate - read rate); null without a price")


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
    saved_usd: float | None = Field(None, description="what thrifty's tools saved (thrifty report savings)")


class FleetView(BaseModel):
    updated_at: str
    window_minutes: int
    burn_minutes: int
    sessions: list[SessionView]
    today_cost_usd: float | None
    today_tokens: int
    daily_budgets: list[BudgetBar]
    cache_misses: list[CacheMissRow] = Field(description="the most recent today, all sessions")


class CacheMissTotals(BaseModel):
    misses: int = 0
    rewritten_tokens: int = 0
    extra_cost_usd: float = 0.0
    turns: int = Field(0, description="turns examined")


class CacheMissesReport(BaseModel):
    cache_misses: list[CacheMissRow]
    by_cause: dict[str, CacheMissTotals]
    totals: CacheMissTotals
    notes: list[str] = []


class SettingRow(BaseModel):
    key: str
    value: str
    source: str = Field(description="default, userConfig, pyproject.toml or .thrifty.toml")


class SessionBudgets(BaseModel):
    session_id: str
    project: str
    project_dir: str | None
    settings_from: Literal["hooks", "this shell"]
    cost_usd: float | None
    total_tokens: int
    last_activity: str | None
    budgets: list[BudgetBar]
    state: State


class RaiseRow(BaseModel):
    level: str
    session_id: str
    agent_id: str
    day: str
    unit: str
    amount: float
    created_at: str


class BudgetReport(BaseModel):
    settings: list[SettingRow] = Field(description="what this shell resolves (hooks may see other userConfig)")
    errors: list[str]
    daily: list[BudgetBar]
    sessions: list[SessionBudgets]
    raises: list[RaiseRow]
    notes: list[str] = []
