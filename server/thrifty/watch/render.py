"""Draw a `FleetView` with rich: a header with the day's spend, one row per session and per agent, budget bars, and
the latest cache misses."""

from __future__ import annotations

from datetime import datetime

from rich import box
from rich.console import Group, JustifyMethod, RenderableType
from rich.table import Table
from rich.text import Text

from thrifty.money import usd
from thrifty.report.budget_models import BudgetBar
from thrifty.report.models import CacheMissRow
from thrifty.watch.models import FleetView, SessionView, TokenCounts

STATE_STYLE = {"ok": "green", "warn": "yellow", "over": "red", "stop": "bold white on red"}
BAR_WIDTH = 12


def count(value: int) -> str:
    """12,345,678 -> '12.3M'; 45,678 -> '46k'; 9,999 -> '9,999'."""
    if value >= 1_000_000_000:
        return f"{value / 1e9:.1f}B"
    if value >= 1_000_000:
        return f"{value / 1e6:.1f}M"
    if value >= 10_000:
        return f"{value / 1e3:.0f}k"
    return f"{value:,}"


def budget_text(budget: BudgetBar) -> Text:
    filled = min(BAR_WIDTH, round(min(budget.ratio, 1.0) * BAR_WIDTH))
    limit = usd(budget.limit) if budget.unit == "usd" else f"{count(int(budget.limit))} tok"
    label = budget.level if budget.level != "subagent" else f"sub {(budget.agent_id or '')[:6]}"
    text = Text(f"{label:<10} ")
    text.append("█" * filled + "░" * (BAR_WIDTH - filled), style=STATE_STYLE[budget.state])
    text.append(f" {budget.ratio:4.0%} of {limit}")
    return text


def local_time(ts: str | None) -> str:
    if not ts:
        return ""
    try:
        return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return ts


def header(view: FleetView) -> Text:
    text = Text("thrifty watch", style="bold")
    active = len(view.sessions)
    text.append(f" · {active} session{'s' if active != 1 else ''} active in the last {view.window_minutes} min")
    text.append(f" · today {usd(view.today_cost_usd)}, {count(view.today_tokens)} tokens")
    text.append(f" · burn over {view.burn_minutes} min")
    text.append(f" · {local_time(view.updated_at)} · q or Ctrl-C quits", style="dim")
    return text


WIDE = 150  # at least this many columns: tokens by kind; fewer: one total
NARROW = 100  # fewer: no project names either
MIN_WIDTHS = {"Session": 8, "Cost": 8, "Burn/h": 7, "Tokens": 6, "Hit": 4, "Turns": 5}  # the budget bars give way


def sessions_table(view: FleetView, width: int) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    tokens = ["Input", "Output", "Cache W", "Cache R"] if width >= WIDE else ["Tokens"]
    columns: list[tuple[str, JustifyMethod]] = [("Session", "left"), ("Project / agent", "left"), ("Cost", "right"),
                                                ("Burn/h", "right"), *((name, "right") for name in tokens),
                                                ("Hit", "right"), ("Turns", "right"), ("Budgets", "left")]
    if width < NARROW:
        columns.pop(1)
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True,
                         max_width=28 if name == "Project / agent" else None, overflow="ellipsis",
                         min_width=MIN_WIDTHS.get(name))
    for session in view.sessions:
        _session_rows(table, session, width)
    return table


def _tokens(t: TokenCounts, width: int) -> list[str]:
    if width >= WIDE:
        return [count(t.input), count(t.output), count(t.cache_write), count(t.cache_read)]
    return [count(t.total)]


def _session_rows(table: Table, session: SessionView, width: int) -> None:
    bars = Text("\n").join(budget_text(b) for b in session.budgets if b.level == "session") or Text("")
    hit = "" if session.cache_hit_ratio is None else f"{session.cache_hit_ratio:.0%}"
    project = [session.project] if width >= NARROW else []
    table.add_row(session.session_id[:8], *project, usd(session.cost_usd),
                  usd(session.burn_usd_per_hour), *_tokens(session.tokens, width), hit, str(session.turns),
                  bars, style="bold" if session.budget_state == "ok" else STATE_STYLE[session.budget_state])
    sub_bars = {b.agent_id: budget_text(b) for b in session.budgets if b.level == "subagent"}
    for agent in session.agents:
        name = "main" if agent.agent_id == "main" else f"{agent.agent_type or 'subagent'} {agent.agent_id[:8]}"
        first = [" ", f"  ↳ {name}"] if width >= NARROW else [f" ↳ {name[:10]}"]
        table.add_row(*first, usd(agent.cost_usd), "", *_tokens(agent.tokens, width), "", str(agent.turns),
                      sub_bars.get(agent.agent_id, Text("")), style="dim")


def misses_table(misses: list[CacheMissRow]) -> Table:
    table = Table(title="recent cache misses", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    columns: list[tuple[str, JustifyMethod]] = [("Time", "left"), ("Session", "left"), ("Agent", "left"),
                                                ("Cause", "left"), ("Rewritten", "right"), ("Extra", "right")]
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True)
    for miss in misses:
        table.add_row(local_time(miss.ts), miss.session_id[:8], miss.agent_id[:8], miss.detail,
                      count(miss.rewritten_tokens), usd(miss.extra_cost_usd))
    return table


def render(view: FleetView, width: int = WIDE) -> RenderableType:
    """The whole screen for a terminal `width` columns wide."""
    parts: list[RenderableType] = [header(view)]
    if view.daily_budgets:
        parts.append(Text("  ").join(budget_text(b) for b in view.daily_budgets))
    if view.sessions:
        parts.append(sessions_table(view, width))
    else:
        parts.append(Text(f"\nNo session has written a turn in the last {view.window_minutes} minutes; waiting for "
                          "transcripts to grow.", style="dim"))
    if view.cache_misses:
        parts.append(misses_table(view.cache_misses))
    return Group(*parts)
