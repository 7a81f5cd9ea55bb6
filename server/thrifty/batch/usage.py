"""Record what batch results cost as ledger turns, so every report, `report daily` and the daily budget count it.

One `files` row per batch (pseudo path `batch:<batch id>`) holds its rows together; each succeeded result is one
turn keyed like any other by (message id, request id = batch id), inserted once however often results are read.
`speed` = 'batch' prices it at half the list price (`pricing.BATCH_MULTIPLIER`); `source` = 'batch' marks it;
`session_id` = 'batch:<job>' shows the job as one line of `report sessions`; `ts` = when the batch ended.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thrifty.batch.errors import BatchError
from thrifty.ledger import rollup
from thrifty.ledger.pricing import BATCH_SPEED
from thrifty.ledger.transcripts import usage_tokens

SOURCE = "batch"
AGENT = "batch"


def project_folder(project: Path | str) -> str:
    """The project's name as Claude Code writes it under `projects/` (every non-alphanumeric character -> '-')."""
    return re.sub(r"[^A-Za-z0-9]", "-", str(project))


def tokens(usage: Any) -> tuple[int, int, int, int, int]:
    """(input, output, 5m cache write, 1h cache write, cache read) of an SDK `Usage`, split as transcripts are.

    Raises:
        BatchError: a token count is missing, negative or not an integer.
    """
    found = usage_tokens(usage.model_dump())
    if found is None:
        raise BatchError(f"a batch result has unusable token counts ({usage.model_dump(exclude_none=True)}); "
                         "its cost cannot be recorded. Nothing of this batch was recorded: report this, "
                         "the results can be read again later")
    return found


def record(conn: sqlite3.Connection, batch_id: str, job: str, project: str, ended_at: str,
           messages: Sequence[tuple[int, Any]]) -> int:
    """Insert the turns of one batch's succeeded results ((request index, SDK Message)); how many were new.

    Runs inside the caller's transaction.
    """
    path = f"batch:{batch_id}"
    session = f"batch:{job}"
    row = conn.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
    if row is None:
        row = conn.execute(
            "INSERT INTO files (path, session_id, project, agent_id) VALUES (?, ?, ?, ?) RETURNING id",
            (path, session, project, AGENT)).fetchone()
    file_id = int(row[0])
    added = conn.executemany(
        """INSERT OR IGNORE INTO turns (message_id, request_id, session_id, project, agent_id, file_id, line_offset,
               ts, model, speed, is_sidechain, input_tokens, output_tokens, cache_write_5m_tokens,
               cache_write_1h_tokens, cache_read_tokens, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)""",
        [(message.id, batch_id, session, project, AGENT, file_id, index, ended_at, message.model, BATCH_SPEED,
          *tokens(message.usage), SOURCE) for index, message in messages]).rowcount
    rollup.catch_up(conn)
    conn.execute("UPDATE files SET usage_lines = (SELECT COUNT(*) FROM turns WHERE file_id = ?), "
                 "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?", (file_id, file_id))
    return added
