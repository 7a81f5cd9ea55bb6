"""The sessions view as plain dicts, standard library only: `thrifty report sessions --json` prints this document
without importing pydantic or the report models (the import alone costs more than the query).

The dicts are the schema of `report.models`, key for key and in the same order: `build.build_sessions` validates this
very document into `SessionsReport`, and a test checks that the model's dump equals it, so there is one schema.
"""

from __future__ import annotations

import sqlite3
from typing import TypedDict

import orjson

from thrifty.ledger import queries
from thrifty.ledger.queries import Filters, Usage


class UsageValues(TypedDict):
    """The `UsageFields` of one row, typed for `Row(**usage_fields(usage))`."""

    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cache_write_5m_tokens: int
    cache_write_1h_tokens: int
    total_tokens: int
    cost_usd: float | None
    unpriced_models: list[str]
    cache_hit_ratio: float | None
    turns: int


def usage_fields(usage: Usage) -> UsageValues:
    """The token, cost and ratio fields every usage row shares (`report.models.UsageFields`, in its order)."""
    return {
        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
        "cache_creation_tokens": usage.cache_creation_tokens, "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_5m_tokens": usage.cache_write_5m_tokens, "cache_write_1h_tokens": usage.cache_write_1h_tokens,
        "total_tokens": usage.total_tokens, "cost_usd": usage.cost_usd, "unpriced_models": list(usage.unpriced_models),
        "cache_hit_ratio": usage.cache_hit_ratio, "turns": usage.turns,
    }


def totals_fields(usage: Usage) -> dict[str, object]:
    """`report.models.Totals`: the usage fields, then the models and the activity span."""
    return {**usage_fields(usage), "models": list(usage.models), "first_activity": usage.first_ts or None,
            "last_activity": usage.last_ts or None}


def notes(conn: sqlite3.Connection, unpriced_models: list[str]) -> list[str]:
    """What a reader must know to trust the figures: unpriced models, skipped lines."""
    found = []
    if unpriced_models:
        found.append("no price known for " + ", ".join(unpriced_models)
                     + ": their tokens are counted but not in cost_usd")
    malformed = conn.execute("SELECT COALESCE(SUM(malformed_lines), 0) FROM files").fetchone()[0]
    if malformed:
        found.append(f"{malformed} malformed transcript line{'s' if malformed != 1 else ''} skipped")
    implausible = conn.execute("SELECT COUNT(*) FROM implausible_usage").fetchone()[0]
    if implausible:
        found.append(f"{implausible} usage line{'s' if implausible != 1 else ''} with implausible token counts "
                     "skipped (negative, not an integer or over 10^12 a turn; see hooks.log)")
    return found


def sessions_document(conn: sqlite3.Connection, filters: Filters) -> dict[str, object]:
    """`report.models.SessionsReport` as a dict: one row per session, oldest last activity first, and the totals."""
    by_session = queries.sessions(conn, filters)
    rows = [
        {**usage_fields(usage), "session_id": str(session_id), "project": str(project), "models": list(usage.models),
         "first_activity": usage.first_ts, "last_activity": usage.last_ts}
        for (session_id, project), usage in by_session.items()
    ]
    rows.sort(key=lambda row: (row["last_activity"] or "", row["session_id"]))
    total = queries.combined(by_session.values())
    return {"sessions": rows, "totals": totals_fields(total), "notes": notes(conn, total.unpriced_models)}


def dumps(document: dict[str, object]) -> str:
    """The document as `model_dump_json(indent=2)` lays it out (two-space indent, UTF-8 kept as is).

    orjson, not `json`: with an indent the standard library falls back to its pure-Python encoder, a quarter of the
    whole command's time over a large ledger."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()
