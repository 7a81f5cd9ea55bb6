"""thrifty's ledger after a real session, read two ways, and compared with the scripted API's ground truth.

- `hook_fed(home)`: the ledger the plugin's hooks wrote during the session, read as is (no catch-up ingestion, so
  a turn the hooks missed stays missing).
- `rebuilt(home, data_dir)`: a fresh ledger built from the session's transcripts alone, as `thrifty report` does on
  a machine where the hooks never ran.
Both answer with the report models `thrifty report --json` prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thrifty.ledger.db import connect
from thrifty.ledger.ingest import ingest_tree
from thrifty.ledger.queries import Filters
from thrifty.report.build import build

from .plugin_home import PluginHome
from .script import Usage

TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
                "cache_write_1h_tokens", "cache_creation_tokens")


@dataclass(frozen=True)
class Ledger:
    path: Path

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    def report(self, view: str, session_id: str | None = None) -> Any:
        """The report model of `view` (sessions, agents, models, tools, summary, daily...), for one session or all."""
        with self._conn() as conn:
            return build(conn, view, Filters(session_id=session_id))


def hook_fed(home: PluginHome) -> Ledger:
    if not home.ledger_path.exists():
        raise AssertionError(f"the hooks wrote no ledger at {home.ledger_path}; hooks.log: "
                             f"{_read(home.data_dir / 'hooks.log')}")
    return Ledger(home.ledger_path)


def rebuilt(home: PluginHome, data_dir: Path) -> Ledger:
    """A new ledger in `data_dir`, ingested from `home`'s transcripts only."""
    ledger = Ledger(data_dir / "ledger.db")
    with ledger._conn() as conn:
        ingest_tree(conn, home.projects_dir)
    return ledger


def tokens(row: Any) -> dict[str, int]:
    """The token fields of a report row (or totals)."""
    return {name: int(getattr(row, name)) for name in TOKEN_FIELDS}


def expected(usage: Usage) -> dict[str, int]:
    """The token fields a correct ledger reports for `usage` (the API's numbers; without a TTL split, all 5m)."""
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
            "cache_read_tokens": usage.cache_read, "cache_write_5m_tokens": usage.cache_write_5m,
            "cache_write_1h_tokens": usage.cache_write_1h,
            "cache_creation_tokens": usage.cache_creation_input_tokens}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")[-3000:]
    except OSError:
        return "(none)"
