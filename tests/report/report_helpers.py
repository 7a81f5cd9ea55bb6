"""Report test helpers: a generated history with subagents and a branch switch; the page helpers of fixtures_gen."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from fixtures_gen.report_page import mismatches, page_figures, run, view_json, write_page
from fixtures_gen.transcripts import Session, realistic_session

__all__ = ["History", "make_history", "mismatches", "page_figures", "run", "view_json", "write_page"]


class History:
    def __init__(self, sessions: list[Session], switched: Session) -> None:
        self.sessions, self.switched = sessions, switched


def make_history(projects: Path, start: datetime) -> History:
    """Four sessions on three days, with subagents; the last one moves from `main` to `feature/x` half way."""
    sessions = [realistic_session(projects, seed=seed, turns=12, subagents=2, start=start + timedelta(days=index))
                for index, seed in enumerate((21, 22, 23))]
    switched = Session(projects, "/home/dev/shop", seed=24, start=start + timedelta(days=2, hours=3))
    switched.main.user()
    for turn in range(8):
        if turn == 4:
            switched.main.git_branch = "feature/x"
        response = switched.main.respond("claude-sonnet-4-6", tools=("Read",))
        switched.main.tool_results(response, [2_000])
    switched.save()
    return History([*sessions, switched], switched)
