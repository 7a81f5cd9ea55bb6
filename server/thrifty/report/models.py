"""The report schema: one pydantic model per view feeds both `--json` and the tables (snake_case keys).

Every usage row carries the same token fields. `cost_usd` is null when none of the row's models has a known price;
`unpriced_models` names the models whose tokens are not in `cost_usd` (never priced as zero silently).
`cache_hit_ratio` = cache reads / (input + cache writes + cache reads), null without input.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class UsageFields(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = Field(default=0, description="cache writes, 5-minute and 1-hour")
    cache_read_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = 0.0
    unpriced_models: list[str] = []
    cache_hit_ratio: float | None = None
    turns: int = Field(default=0, description="API requests after de-duplication")


class SessionRow(UsageFields):
    session_id: str
    project: str
    models: list[str]
    first_activity: str | None
    last_activity: str | None


class DailyRow(UsageFields):
    date: str
    models: list[str]


class AgentRow(UsageFields):
    session_id: str
    agent_id: str = Field(description="'main' for the session's own thread, else the subagent id")
    agent_type: str | None
    model: str | None
    first_activity: str | None
    last_activity: str | None


class ModelRow(UsageFields):
    model: str


class ToolRow(BaseModel):
    name: str = Field(description="the tool name as the model called it")
    plugin: str | None
    server: str | None = Field(description="MCP server; null for built-in tools")
    tool: str
    calls: int
    result_tokens: int = Field(description="context growth of the request after the call, shared among its calls")
    avg_result_tokens: int
    sessions: int


class Totals(UsageFields):
    models: list[str] = []
    first_activity: str | None = None
    last_activity: str | None = None


class ToolTotals(BaseModel):
    calls: int = 0
    result_tokens: int = 0


class SessionsReport(BaseModel):
    sessions: list[SessionRow]
    totals: Totals
    notes: list[str] = []


class DailyReport(BaseModel):
    daily: list[DailyRow]
    totals: Totals
    notes: list[str] = []


class AgentsReport(BaseModel):
    agents: list[AgentRow]
    totals: Totals
    notes: list[str] = []


class ModelsReport(BaseModel):
    models: list[ModelRow]
    totals: Totals
    notes: list[str] = []


class ToolsReport(BaseModel):
    tools: list[ToolRow]
    totals: ToolTotals
    notes: list[str] = []


class SummaryReport(BaseModel):
    """One session at a glance (for `/thrifty:cost`): totals, then by agent, by model and by tool."""

    session_id: str | None
    project: str | None
    totals: Totals
    agents: list[AgentRow]
    models: list[ModelRow]
    tools: list[ToolRow]
    notes: list[str] = []


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


class CacheMissTotals(BaseModel):
    misses: int = 0
    rewritten_tokens: int = 0
    extra_cost_usd: float = 0.0
    turns: int = Field(default=0, description="turns examined")


class CacheMissesReport(BaseModel):
    cache_misses: list[CacheMissRow]
    by_cause: dict[str, CacheMissTotals]
    totals: CacheMissTotals
    notes: list[str] = []


class BatchRow(BaseModel):
    batch_id: str
    job: str
    model: str
    status: str | None
    items: int
    succeeded: int
    errored: int = Field(description="errored, expired or canceled requests")
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cost_usd: float | None = Field(description="at batch prices: half the list price of every token kind")
    created_at: str | None


class BatchTotals(BaseModel):
    items: int = 0
    succeeded: int = 0
    errored: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float | None = 0.0


class BatchesReport(BaseModel):
    """`thrifty batch` jobs' Message Batches: outcome and the usage their results recorded, at batch prices."""

    batches: list[BatchRow]
    totals: BatchTotals
    notes: list[str] = []


Report = (SessionsReport | DailyReport | AgentsReport | ModelsReport | ToolsReport | SummaryReport
          | CacheMissesReport | BatchesReport)
