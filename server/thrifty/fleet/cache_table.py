"""The `cache-misses` report view as text: totals by cause, then each miss (newest first)."""

from __future__ import annotations

from thrifty.fleet.models import CacheMissesReport
from thrifty.report.table import Column, Screen, draw

LIMIT_ROWS = 200


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def render_misses(report: CacheMissesReport, screen: Screen) -> None:
    t = report.totals
    screen.print(f"{t.misses:,} cache miss{'es' if t.misses != 1 else ''} in {t.turns:,} turns: "
                 f"{t.rewritten_tokens:,} tokens written again, {_money(t.extra_cost_usd)} more than reading them")
    if not report.cache_misses:
        return
    causes = [[cause, bucket.misses, bucket.rewritten_tokens, _money(bucket.extra_cost_usd)]
              for cause, bucket in sorted(report.by_cause.items(), key=lambda kv: -kv[1].extra_cost_usd)]
    screen.print(draw("by cause", [Column("Cause", right=False), Column("Misses", numeric=True),
                                   Column("Rewritten", numeric=True), Column("Extra cost")],
                      causes, None, screen.width, screen.color))
    columns = [Column("Time (UTC)", right=False), Column("Session", right=False), Column("Agent", right=False, drop=2),
               Column("Model", right=False, drop=3), Column("Cause", right=False), Column("Read", numeric=True, drop=4),
               Column("Written", numeric=True, drop=1), Column("Rewritten", numeric=True), Column("Extra")]
    rows = [[m.ts[:19].replace("T", " "), m.session_id[:8], m.agent_id[:12], m.model or "", m.detail,
             m.cache_read_tokens, m.cache_write_tokens, m.rewritten_tokens, _money(m.extra_cost_usd)]
            for m in report.cache_misses[:LIMIT_ROWS]]
    screen.print(draw("thrifty · cache misses", columns, rows, None, screen.width, screen.color))
    if len(report.cache_misses) > LIMIT_ROWS:
        screen.note(f"{len(report.cache_misses) - LIMIT_ROWS:,} older misses not shown; narrow with --since or "
                    "--session, or use --json")
