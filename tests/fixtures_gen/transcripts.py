"""Claude Code transcript generator for tests: `from fixtures_gen.transcripts import Session, realistic_session, ...`.

The generator itself is `fixtures_gen.synth` (the benchmark uses it too); this module is the tests' entry point and
adds helpers that compute expected totals from ground truth.
"""

from __future__ import annotations

from collections.abc import Iterable

from fixtures_gen.synth import (
    BUILTIN_TOOLS,
    DEFAULT_MODELS,
    MCP_TOOLS,
    SUBAGENT_MODELS,
    Response,
    Session,
    Transcript,
    append_line,
    dumps,
    project_dir_name,
    realistic_session,
    write_history,
)

__all__ = [
    "BUILTIN_TOOLS", "DEFAULT_MODELS", "MCP_TOOLS", "SUBAGENT_MODELS", "Response", "Session", "Transcript",
    "append_line", "dumps", "expected_tokens", "project_dir_name", "realistic_session", "write_history",
]


def expected_tokens(responses: Iterable[Response]) -> dict[str, int]:
    """Token sums a correct ledger reports for these responses, keyed like the report's JSON fields."""
    totals = {"input_tokens": 0, "output_tokens": 0, "cache_creation_tokens": 0, "cache_read_tokens": 0,
              "cache_write_5m_tokens": 0, "cache_write_1h_tokens": 0}
    for r in responses:
        totals["input_tokens"] += r.input_tokens
        totals["output_tokens"] += r.output_tokens
        totals["cache_creation_tokens"] += r.cache_creation_tokens
        totals["cache_read_tokens"] += r.cache_read_tokens
        totals["cache_write_5m_tokens"] += r.cache_write_5m_tokens
        totals["cache_write_1h_tokens"] += r.cache_write_1h_tokens
    return totals
