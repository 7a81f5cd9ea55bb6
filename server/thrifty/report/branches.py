"""`thrifty report branches`: cost per git branch (the cost of a feature) and the model mix per branch and per
session, from each transcript record's `gitBranch`: the inputs of a payback calculation (cost-review skill).

Every turn belongs to exactly one branch (`(unknown)` when the record had none, or was ingested before thrifty kept
branches), so the branches sum to the sessions report. A session that switched branches appears once per branch.
Model mix: each model tier's share of the tokens and of the priced cost.
"""

from __future__ import annotations

import re
import sqlite3

from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage
from thrifty.report.lean import totals_fields, usage_fields
from thrifty.report.models import BranchesReport, BranchRow, ModelShare, SessionBranchRow, Totals

UNKNOWN = "(unknown)"
_BRANCH = f"COALESCE(git_branch, '{UNKNOWN}')"
_TIER = re.compile(r"(opus|sonnet|haiku|fable|mythos)")


def tier_of(model: str | None) -> str:
    found = _TIER.search(model or "")
    return found.group(1) if found else "other"


def model_mix(by_model: dict[str, Usage]) -> list[ModelShare]:
    tiers: dict[str, list[Usage]] = {}
    for model, usage in by_model.items():
        tiers.setdefault(tier_of(model), []).append(usage)
    merged = {tier: queries.combined(usages) for tier, usages in tiers.items()}
    all_tokens = sum(u.total_tokens for u in merged.values())
    all_cost = sum(u.cost_usd or 0.0 for u in merged.values())
    shares = [ModelShare(tier=tier, tokens=u.total_tokens,
                         token_share=round(u.total_tokens / all_tokens, 4) if all_tokens else 0.0,
                         cost_usd=u.cost_usd,
                         cost_share=round((u.cost_usd or 0.0) / all_cost, 4) if all_cost else None)
              for tier, u in merged.items()]
    return sorted(shares, key=lambda share: -share.tokens)


def build_branches(conn: sqlite3.Connection, filters: Filters) -> BranchesReport:
    branch_models: dict[str, dict[str, Usage]] = {}
    for (branch, model), usage in queries.usage_by(conn, (_BRANCH, "model"), filters).items():
        branch_models.setdefault(str(branch), {})[str(model)] = usage
    session_models: dict[tuple[str, str], dict[str, Usage]] = {}
    for (session_id, branch, model), usage in queries.usage_by(conn, ("session_id", _BRANCH, "model"),
                                                                filters).items():
        session_models.setdefault((str(session_id), str(branch)), {})[str(model)] = usage
    branches = []
    for branch, by_model in branch_models.items():
        usage = queries.combined(by_model.values())
        sessions = sum(1 for (_, b) in session_models if b == branch)
        branches.append(BranchRow(git_branch=branch, sessions=sessions, models=usage.models,
                                  model_mix=model_mix(by_model), **usage_fields(usage)))
    branches.sort(key=lambda row: -(row.cost_usd or 0.0))
    sessions = [SessionBranchRow(session_id=sid, git_branch=branch, model_mix=model_mix(by_model),
                                 **usage_fields(queries.combined(by_model.values())))
                for (sid, branch), by_model in session_models.items()]
    totals = Totals.model_validate(totals_fields(
        queries.combined(u for by_model in branch_models.values() for u in by_model.values())))
    notes = []
    if UNKNOWN in branch_models:
        notes.append(f"{UNKNOWN}: turns without a gitBranch (outside git, or ingested before thrifty kept branches)")
    return BranchesReport(branches=branches, sessions=sessions, totals=totals, notes=notes)
