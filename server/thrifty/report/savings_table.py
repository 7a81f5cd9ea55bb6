"""`thrifty report savings` as tables: savings per session, then the waste entries with their suggestions."""

from __future__ import annotations

from thrifty.money import usd
from thrifty.report.savings import SavingsReport, SavingsTotals, SessionSavings
from thrifty.report.table import Column, Screen, draw, short


def one_line(row: SessionSavings | SavingsTotals) -> str:
    """'saved ~$0.42 (52,000 tokens, 3 turns avoided in 4 thrifty calls) · waste left ~$0.10: 2 whole_file_read'."""
    waste = row.waste if isinstance(row, SessionSavings) else []
    waste_usd = row.waste_usd if isinstance(row, SavingsTotals) else None
    kinds: dict[str, int] = dict(row.waste_by_kind) if isinstance(row, SavingsTotals) else {}
    for entry in waste:
        waste_usd = entry.usd if waste_usd is None else waste_usd + (entry.usd or 0.0)
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    text = (f"saved ~{usd(row.usd_saved)} ({row.tokens_avoided:,} tokens, {row.turns_avoided:,} turns avoided in "
            f"{row.thrifty_calls:,} thrifty calls)" if row.thrifty_calls else "no thrifty tool calls")
    if kinds:
        text += f" · waste left ~{usd(waste_usd)}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return text


def savings_table(report: SavingsReport, screen: Screen) -> None:
    columns = [Column("Session", right=False), Column("Calls", numeric=True), Column("Returned", numeric=True),
               Column("Avoided", numeric=True), Column("Turns Avoided", numeric=True, drop=2),
               Column("Saved", drop=0), Column("Waste", numeric=True, drop=1), Column("Waste $", drop=1)]
    rows = [[short(s.session_id), s.thrifty_calls, s.tokens_returned, s.tokens_avoided, s.turns_avoided,
             usd(s.usd_saved), len(s.waste), usd(_waste_usd(s))] for s in report.sessions]
    t = report.totals
    total = ["Total", t.thrifty_calls, t.tokens_returned, t.tokens_avoided, t.turns_avoided, usd(t.usd_saved),
             sum(t.waste_by_kind.values()), usd(t.waste_usd)]
    screen.print(draw("thrifty · what it saved, and the waste left", columns, rows, total, screen.width, screen.color))
    entries = [(s.session_id, w) for s in report.sessions for w in s.waste]
    if entries:
        columns = [Column("Session", right=False, drop=3), Column("Waste", right=False), Column("Path", right=False),
                   Column("Tokens", numeric=True), Column("$", drop=1), Column("Instead", right=False)]
        rows = [[short(sid), w.kind, w.path or "", w.tokens, usd(w.usd), w.suggestion] for sid, w in entries]
        screen.print(draw("waste left, with the thrifty call that replaces it", columns, rows, None, screen.width,
                          screen.color))


def _waste_usd(row: SessionSavings) -> float | None:
    values = [w.usd for w in row.waste if w.usd is not None]
    return sum(values) if values else None
