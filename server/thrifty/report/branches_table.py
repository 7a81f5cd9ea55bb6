"""`thrifty report branches` as tables: cost per branch with its model mix, then per session and branch."""

from __future__ import annotations

from thrifty.report.branches import BranchesReport, ModelShare
from thrifty.report.table import Column, Screen, short, total_row, usage_cells


def mix_text(mix: list[ModelShare]) -> list[str]:
    """One line per tier: 'opus 40% tok, 71% $'."""
    return [f"{m.tier} {m.token_share:.0%} tok" + (f", {m.cost_share:.0%} $" if m.cost_share is not None else "")
            for m in mix]


def branches_table(report: BranchesReport, screen: Screen) -> None:
    leading = [Column("Branch", right=False), Column("Sessions", numeric=True, drop=5),
               Column("Model Mix", right=False, drop=3)]
    rows = [[b.git_branch, b.sessions, mix_text(b.model_mix), *usage_cells(b)] for b in report.branches]
    screen.table("thrifty · cost per git branch", leading, rows, total_row(report.totals, len(leading)))
    leading = [Column("Session", right=False), Column("Branch", right=False),
               Column("Model Mix", right=False, drop=3)]
    rows = [[short(s.session_id), s.git_branch, mix_text(s.model_mix), *usage_cells(s)] for s in report.sessions]
    screen.table("by session and branch", leading, rows, total_row(report.totals, len(leading)))
