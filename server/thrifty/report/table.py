"""Box tables for the report views, in the spirit of ccusage: tokens by kind, cost, cache hit ratio, a total row.

Drawn directly rather than with rich: rich takes about a second per few hundred rows here, and a report over a year
of sessions has thousands. On a narrow terminal the least useful columns go first, then numbers are shortened
(1.2M); multi-line cells (one model per line) are kept.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from thrifty.money import usd
from thrifty.report.models import (
    AgentsReport,
    BatchesReport,
    CacheMissesReport,
    DailyReport,
    ModelsReport,
    Report,
    SessionsReport,
    SummaryReport,
    ToolsReport,
    ToolTotals,
    Totals,
    UsageFields,
)

TITLE = "thrifty · token usage"
MISSES_SHOWN = 200
_BOLD, _DIM, _YELLOW, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[1;33m", "\x1b[0m"


class Column:
    """A column: header, alignment, and `drop` (columns with a higher value are dropped first when narrow; 0 never)."""

    __slots__ = ("header", "right", "drop", "numeric")

    def __init__(self, header: str, right: bool = True, drop: int = 0, numeric: bool = False) -> None:
        self.header, self.right, self.drop, self.numeric = header, right, drop, numeric


def human(n: int) -> str:
    """1234567 -> '1.2M' (for narrow terminals)."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(n) >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def draw(title: str, columns: Sequence[Column], rows: Sequence[Sequence[object]], total: Sequence[object] | None,
         width: int, color: bool) -> str:
    """The table as text no wider than `width` when that can be done by dropping columns and shortening numbers."""
    keep = list(range(len(columns)))
    shorten = False
    while True:
        cells = [[_cell(row[i], columns[i], shorten) for i in keep] for row in rows]
        total_cells = [_cell(total[i], columns[i], shorten) for i in keep] if total is not None else None
        widths = [max([len(columns[i].header)] + [len(line) for r in cells + ([total_cells] if total_cells else [])
                                                  for line in r[n]]) for n, i in enumerate(keep)]
        if sum(widths) + 3 * len(widths) + 1 <= width:
            break
        droppable = [i for i in keep if columns[i].drop]
        if droppable:
            keep.remove(max(droppable, key=lambda i: columns[i].drop))
        elif not shorten:
            shorten = True
        else:
            break
    shown = [columns[i] for i in keep]

    def line(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + right

    def text_row(row: list[list[str]], style: str = "") -> list[str]:
        height = max(len(c) for c in row)
        out = []
        for k in range(height):
            parts = []
            for col, w, cell in zip(shown, widths, row, strict=True):
                value = cell[k] if k < len(cell) else ""
                parts.append(value.rjust(w) if col.right else value.ljust(w))
            body = "│ " + " │ ".join(parts) + " │"
            out.append(f"{style}{body}{_RESET}" if style and color else body)
        return out

    lines = [title.center(sum(widths) + 3 * len(widths) + 1).rstrip(), line("┌", "┬", "┐")]
    lines += text_row([[c.header] for c in shown], _BOLD)
    lines.append(line("├", "┼", "┤"))
    for row in cells:
        lines += text_row(row)
    if total_cells is not None:
        lines.append(line("├", "┼", "┤"))
        lines += text_row(total_cells, _YELLOW)
    lines.append(line("└", "┴", "┘"))
    return "\n".join(lines)


def _cell(value: object, column: Column, shorten: bool) -> list[str]:
    if value is None:
        return [""]
    if isinstance(value, int) and not isinstance(value, bool):
        return [human(value) if shorten else f"{value:,}"]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] or [""]
    return str(value).split("\n")


def money(row: UsageFields) -> str:
    """The row's cost; `*` when some of its models have no price (their tokens are not in it)."""
    if row.cost_usd is None:
        return usd(None)
    return usd(row.cost_usd) + ("*" if row.unpriced_models else "")


def ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


_USAGE = [Column("Input", numeric=True, drop=2), Column("Output", numeric=True), Column("Cache Create", numeric=True),
          Column("Cache Read", numeric=True), Column("Total Tokens", numeric=True, drop=5), Column("Cost (USD)"),
          Column("Cache Hit", drop=1)]


def usage_cells(row: UsageFields) -> list[object]:
    return [row.input_tokens, row.output_tokens, row.cache_creation_tokens, row.cache_read_tokens, row.total_tokens,
            money(row), ratio(row.cache_hit_ratio)]


def short(session_id: str) -> str:
    return session_id[:8]


def agent_label(agent_id: str, agent_type: str | None) -> str:
    return agent_id if agent_id == "main" else f"{agent_type or 'subagent'} {agent_id[:12]}"


class Screen:
    """Where tables go: the output stream, its width and whether to color."""

    def __init__(self, out: TextIO | None = None, width: int | None = None, color: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.width = width or shutil.get_terminal_size((120, 24)).columns
        tty = hasattr(self.out, "isatty") and self.out.isatty()
        self.color = tty and "NO_COLOR" not in os.environ if color is None else color

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def note(self, text: str) -> None:
        self.print(f"{_DIM}{text}{_RESET}" if self.color else text)

    def table(self, title: str, leading: Sequence[Column], rows: Sequence[Sequence[object]],
              total: Sequence[object] | None) -> None:
        columns = [*leading, *_USAGE]
        self.print(draw(title, columns, rows, total, self.width, self.color))


def total_row(totals: Totals, leading: int) -> list[object]:
    return ["Total", *[""] * (leading - 1), *usage_cells(totals)]


def sessions_table(report: SessionsReport, screen: Screen) -> None:
    leading = [Column("Session", right=False), Column("Project", right=False, drop=4),
               Column("Models", right=False, drop=3), Column("Last Activity", right=False, drop=6)]
    rows = [[short(r.session_id), r.project, r.models, (r.last_activity or "")[:10], *usage_cells(r)]
            for r in report.sessions]
    screen.table(f"{TITLE} by session", leading, rows, total_row(report.totals, len(leading)))


def daily_table(report: DailyReport, screen: Screen) -> None:
    leading = [Column("Date", right=False), Column("Models", right=False, drop=3)]
    rows = [[r.date, r.models, *usage_cells(r)] for r in report.daily]
    screen.table(f"{TITLE} by day", leading, rows, total_row(report.totals, len(leading)))


def agents_table(report: AgentsReport, screen: Screen, title: str = f"{TITLE} by agent") -> None:
    leading = [Column("Session", right=False, drop=4), Column("Agent", right=False), Column("Model", right=False)]
    rows = [[short(r.session_id), agent_label(r.agent_id, r.agent_type), r.model or "(no model)", *usage_cells(r)]
            for r in report.agents]
    screen.table(title, leading, rows, total_row(report.totals, len(leading)))


def models_table(report: ModelsReport, screen: Screen, title: str = f"{TITLE} by model") -> None:
    leading = [Column("Model", right=False)]
    screen.table(title, leading, [[r.model, *usage_cells(r)] for r in report.models],
                 total_row(report.totals, len(leading)))


def tools_table(report: ToolsReport, screen: Screen,
                title: str = "thrifty · tool calls and the tokens their results brought in") -> None:
    columns = [Column("Tool", right=False), Column("Server", right=False, drop=2), Column("Calls", numeric=True),
               Column("Result Tokens", numeric=True), Column("Per Call", numeric=True, drop=1),
               Column("Sessions", numeric=True, drop=3)]
    rows = [[r.tool, f"{r.plugin}:{r.server}" if r.plugin else (r.server or "built-in"), r.calls, r.result_tokens,
             r.avg_result_tokens, r.sessions] for r in report.tools]
    total = ["Total", "", report.totals.calls, report.totals.result_tokens, None, None]
    screen.print(draw(title, columns, rows, total, screen.width, screen.color))


def summary_view(report: SummaryReport, screen: Screen) -> None:
    t = report.totals
    if report.session_id is None:
        screen.print("No turns recorded yet.")
        return
    screen.print(f"Session {report.session_id}  {report.project or ''}".rstrip())
    screen.print(f"{money(t)} · {t.total_tokens:,} tokens (input {t.input_tokens:,}, output {t.output_tokens:,}, "
                 f"cache write {t.cache_creation_tokens:,}, cache read {t.cache_read_tokens:,}) · cache hit "
                 f"{ratio(t.cache_hit_ratio) or 'n/a'} · {t.turns:,} requests")
    if report.agents:
        agents_table(AgentsReport(agents=report.agents, totals=t), screen, "by agent")
    if report.models:
        models_table(ModelsReport(models=report.models, totals=t), screen, "by model")
    if report.tools:
        totals = ToolTotals(calls=sum(r.calls for r in report.tools),
                            result_tokens=sum(r.result_tokens for r in report.tools))
        tools_table(ToolsReport(tools=report.tools[:10], totals=totals), screen, "top tools by result tokens")


def cache_misses_table(report: CacheMissesReport, screen: Screen) -> None:
    """Totals by cause, then each miss (newest first)."""
    t = report.totals
    screen.print(f"{t.misses:,} cache miss{'es' if t.misses != 1 else ''} in {t.turns:,} turns: "
                 f"{t.rewritten_tokens:,} tokens written again, {usd(t.extra_cost_usd)} more than reading them")
    if not report.cache_misses:
        return
    causes = [[cause, bucket.misses, bucket.rewritten_tokens, usd(bucket.extra_cost_usd)]
              for cause, bucket in sorted(report.by_cause.items(), key=lambda kv: -kv[1].extra_cost_usd)]
    screen.print(draw("by cause", [Column("Cause", right=False), Column("Misses", numeric=True),
                                   Column("Rewritten", numeric=True), Column("Extra cost")],
                      causes, None, screen.width, screen.color))
    columns = [Column("Time (UTC)", right=False), Column("Session", right=False), Column("Agent", right=False, drop=2),
               Column("Model", right=False, drop=3), Column("Cause", right=False), Column("Read", numeric=True, drop=4),
               Column("Written", numeric=True, drop=1), Column("Rewritten", numeric=True), Column("Extra")]
    rows = [[m.ts[:19].replace("T", " "), m.session_id[:8], m.agent_id[:12], m.model or "", m.detail,
             m.cache_read_tokens, m.cache_write_tokens, m.rewritten_tokens, usd(m.extra_cost_usd)]
            for m in report.cache_misses[:MISSES_SHOWN]]
    screen.print(draw("thrifty · cache misses", columns, rows, None, screen.width, screen.color))
    if len(report.cache_misses) > MISSES_SHOWN:
        screen.note(f"{len(report.cache_misses) - MISSES_SHOWN:,} older misses not shown; narrow with --since or "
                    "--session, or use --json")


def batches_table(report: BatchesReport, screen: Screen) -> None:
    columns = [Column("Batch", right=False), Column("Job", right=False), Column("Model", right=False, drop=3),
               Column("Items", numeric=True), Column("Succeeded", numeric=True), Column("Errored", numeric=True),
               Column("Input", numeric=True, drop=2), Column("Output", numeric=True),
               Column("Cache Create", numeric=True, drop=1), Column("Cache Read", numeric=True, drop=1),
               Column("Cost (USD)")]
    rows = [[r.batch_id, r.job, r.model, r.items, r.succeeded, r.errored, r.input_tokens, r.output_tokens,
             r.cache_creation_tokens, r.cache_read_tokens, usd(r.cost_usd)] for r in report.batches]
    t = report.totals
    total = ["Total", "", "", t.items, t.succeeded, t.errored, t.input_tokens, t.output_tokens,
             t.cache_creation_tokens, t.cache_read_tokens, usd(t.cost_usd)]
    screen.print(draw("thrifty · batches at batch prices", columns, rows, total, screen.width, screen.color))


_VIEWS: dict[type, Callable[..., None]] = {
    SessionsReport: sessions_table, DailyReport: daily_table, AgentsReport: agents_table,
    ModelsReport: models_table, ToolsReport: tools_table, SummaryReport: summary_view,
    CacheMissesReport: cache_misses_table, BatchesReport: batches_table,
}


def render(report: Report, screen: Screen | None = None) -> None:
    """Print `report` as a table (the summary as a few lines and small tables), then its notes."""
    screen = screen or Screen()
    view = next(_VIEWS[cls] for cls in type(report).__mro__ if cls in _VIEWS)  # team views subclass these
    view(report, screen)
    for note in report.notes:
        screen.note(f"note: {note}")
    totals = report.totals
    if isinstance(totals, Totals) and totals.unpriced_models:
        screen.note("* cost excludes the models with no known price")
