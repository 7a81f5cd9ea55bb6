"""The session summary as a few plain lines: what `/thrifty:cost` shows inside a session, where every byte the model
echoes is paid for as output tokens (box-drawing tables cost several times more)."""

from __future__ import annotations

from thrifty.report.models import SummaryReport, UsageFields
from thrifty.report.table import agent_label, money, one_line

TOP_TOOLS = 8


def _hit(row: UsageFields) -> str:
    return "" if row.cache_hit_ratio is None else f" hit {row.cache_hit_ratio:.0%}"


def _model(name: str | None) -> str:
    return (name or "?").removeprefix("claude-")


def render_summary(report: SummaryReport) -> str:
    t = report.totals
    lines = [
        f"session {report.session_id or '?'} ({report.project or '?'})",
        f"total {money(t)} · {t.total_tokens:,} tok (in {t.input_tokens:,}, out {t.output_tokens:,}, "
        f"cache write {t.cache_creation_tokens:,}, read {t.cache_read_tokens:,}){_hit(t)} · {t.turns} requests",
        "agents:",
    ]
    lines.extend(
        f"  {agent_label(a.agent_id, a.agent_type)} · {_model(a.model)} · {money(a)} · {a.total_tokens:,} tok{_hit(a)}"
        for a in sorted(report.agents, key=lambda row: -(row.cost_usd or 0))
    )
    lines.append("models: " + " · ".join(f"{_model(m.model)} {money(m)}" for m in report.models))
    if report.tools:
        shown = report.tools[:TOP_TOOLS]
        tools = " · ".join(f"{r.tool} {r.result_tokens:,}/{r.calls}" for r in shown)
        more = f" · {len(report.tools) - len(shown)} more omitted" if len(report.tools) > len(shown) else ""
        lines.append(f"tools (result tok/calls): {tools}{more}")
    if report.savings is not None:
        lines.append("thrifty: " + one_line(report.savings))
    lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)
