"""The budget schema: `thrifty budget` (table and --json) and the budget bars of `thrifty watch`. Money in USD;
`ratio` = spent / limit."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from thrifty.guard.budgets import State
from thrifty.guard.settings import Level, Unit


class BudgetBar(BaseModel):
    level: Level
    unit: Unit
    agent_id: str | None = Field(default=None, description="the subagent, for level subagent")
    limit: float = Field(description="configured amount plus raises")
    raised: float = 0.0
    spent: float
    ratio: float
    state: State
    raise_command: str = Field(description="the `thrifty budget raise` line that lifts this budget")


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
