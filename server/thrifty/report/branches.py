"""Cost per git branch, read from the `gitBranch` every transcript record carries.

The ledger does not store branches, so this reads them from the transcripts at report time. A file on one branch
throughout (no `gitBranch` after the first names another: one regex pass) is priced as one group in SQL; a file
that switches is scanned for the points where its `gitBranch` changes, and each of its turns is given the branch of
the record it was read from (`turns.line_offset`). A file that is gone (Claude Code's retention) counts under
"(transcript gone)", one that names no branch under "(no branch)".

Seam: issue 12 adds `thrifty report branches`; when it lands, the HTML report should take its model instead, and this
module can go.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_right
from pathlib import Path

from pydantic import BaseModel

from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage
from thrifty.report.build import totals_of, usage_fields
from thrifty.report.models import Totals, UsageFields

NO_BRANCH = "(no branch)"
GONE = "(transcript gone)"
_BRANCH = re.compile(rb'"gitBranch":"((?:[^"\\]|\\.)*)"')


class BranchRow(UsageFields):
    branch: str
    sessions: int
    models: list[str]


class BranchesReport(BaseModel):
    branches: list[BranchRow]
    totals: Totals
    notes: list[str] = []


def branch_runs(path: Path) -> tuple[list[int], list[str]] | None:
    """(line starts, branches): where each run of records on one branch begins; None if the file cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    first = _BRANCH.search(data)
    if first is None:
        return [], []
    another = re.compile(rb'"gitBranch":"(?!' + re.escape(first.group(1)) + rb'")')
    if another.search(data, first.end()) is None:  # one branch throughout: a single regex pass
        return [0], [first.group(1).decode("utf-8", "replace") or NO_BRANCH]
    starts: list[int] = []
    names: list[str] = []
    for match in _BRANCH.finditer(data):
        name = match.group(1).decode("utf-8", "replace") or NO_BRANCH
        if not names or names[-1] != name:
            starts.append(data.rfind(b"\n", 0, match.start()) + 1)
            names.append(name)
    return starts, names


def build_branches(conn: sqlite3.Connection, filters: Filters) -> BranchesReport:
    """Tokens and cost per branch for the turns `filters` selects; sums to the sessions view's totals."""
    where, params = filters.sql()
    files = dict(conn.execute("SELECT id, path FROM files"))
    by_file = queries.usage_by(conn, ("file_id", "session_id"), filters)
    groups: dict[str, Usage] = {}
    sessions: dict[str, set[str]] = {}

    def add(branch: str, session_id: str, usage: Usage) -> None:
        merged = groups.get(branch)
        groups[branch] = usage if merged is None else queries.merge(merged, usage)
        sessions.setdefault(branch, set()).add(session_id)

    for (file_id, session_id), usage in by_file.items():
        runs = branch_runs(Path(files.get(file_id, "")))
        if runs is None:
            add(GONE, str(session_id), usage)
        elif len(set(runs[1])) <= 1:
            add(runs[1][0] if runs[1] else NO_BRANCH, str(session_id), usage)
        else:
            for branch, part in _split(conn, int(str(file_id)), runs, where, params).items():
                add(branch, str(session_id), part)
    rows = [BranchRow(branch=branch, sessions=len(sessions[branch]), models=usage.models, **usage_fields(usage))
            for branch, usage in groups.items()]
    rows.sort(key=lambda row: (-(row.cost_usd or 0.0), row.branch))
    notes = [] if GONE not in groups else [f"{GONE}: transcripts removed since they were read, branch unknown"]
    return BranchesReport(branches=rows, totals=totals_of(queries.combined(groups.values())), notes=notes)


def _split(conn: sqlite3.Connection, file_id: int, runs: tuple[list[int], list[str]], where: str,
           params: list[object]) -> dict[str, Usage]:
    """One file's turns grouped by the branch run each one's line falls in."""
    starts, names = runs
    clause = f"{where} AND file_id = ?" if where else " WHERE file_id = ?"
    sql = (f"SELECT line_offset, model, speed, {queries.TOKEN_SUMS_SQL} FROM turns{clause} "
           "GROUP BY line_offset, model, speed")
    result: dict[str, Usage] = {}
    for row in conn.execute(sql, [*params, file_id]):
        index = bisect_right(starts, int(row[0])) - 1
        branch = names[index] if index >= 0 else names[0]
        usage = result.get(branch)
        if usage is None:
            usage = result[branch] = Usage()
        usage.add(row[1], row[2], row[3:])
    return result
