"""Runaway-loop guard: a small ring of each agent's recent tool calls in the ledger, judged before the next call.

Two rules, each with its own threshold (0 turns it off):
- repeat: the same tool with the same input `loop_repeat_limit` times in a row, none of whose results was new (the
  Nth is refused; a refused call still counts, so retrying the same call is refused again until something else
  happens). A call whose result this agent had not seen before ends the run, so polling (BashOutput, TaskOutput)
  that keeps returning new output is not a repeat; a call whose result is not known yet counts.
- idle: `loop_idle_limit` calls in a row that changed no file (Edit/Write/MultiEdit/NotebookEdit) and whose results
  had all been seen before by this agent. Results come from PostToolUse; a call whose result is not known yet is
  skipped, neither counted nor breaking the run. A refusal ends the run, so the agent gets a fresh window after it.
Inputs and results are keyed by CRC-32 + Adler-32 + length of their canonical JSON: cheap, no hashlib import, and a
chance collision between two consecutive calls is about 2^-64. The ring keeps the last `RING_SIZE` calls per agent.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Any

from thrifty.guard.enforce import POLICY_REFUSAL
from thrifty.guard.settings import Settings
from thrifty.savings.events import FILE_CHANGING_TOOLS

LOOP_REFUSAL = POLICY_REFUSAL.format(rule="loop guard")
RING_SIZE = 64
PRUNE_EVERY = 16  # prune an agent's ring on every 16th insert (by row id) rather than on each call
FORGET_EVERY = 1024  # and now and then drop the rings of sessions idle for a week
FORGET_AFTER = "-7 days"


def content_key(value: Any) -> str:
    data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"


def judge(rows: list[tuple[str, str, int, int, int | None]], tool_name: str, key: str, settings: Settings
          ) -> str | None:
    """The refusal reason for this call, or None. `rows`: (tool, input key, changes files, denied, novel), newest
    first."""
    repeat_limit = settings["loop_repeat_limit"]
    if repeat_limit:
        same = 0
        for name, input_key, _, _, novel in rows:
            if name != tool_name or input_key != key:
                break
            same += 1
            if novel:
                # The call whose new result the later ones only repeated starts the run; polling that keeps
                # getting new output (BashOutput, TaskOutput) so never builds one.
                break
        if same + 1 >= repeat_limit:
            return (f"{LOOP_REFUSAL}: this is identical call number {same + 1} in a row to {tool_name} with the "
                    "same input, and its result will not change. Use the result you already have, change the input "
                    "or the approach, or stop and tell the user what is blocking you.")
    idle_limit = settings["loop_idle_limit"]
    if idle_limit and tool_name not in FILE_CHANGING_TOOLS:
        idle = 0
        for _, _, changes_files, denied, novel in rows:
            if changes_files or denied or novel:
                break
            if novel is not None:
                idle += 1
        if idle >= idle_limit:
            return (f"{LOOP_REFUSAL}: the last {idle} tool calls changed no files and returned nothing new. "
                    "Stop repeating them: summarise what you found and what is blocking you, or try a different "
                    "approach.")
    return None


def check_and_record(conn: sqlite3.Connection, settings: Settings, session_id: str, agent_id: str, tool_name: str,
                     tool_input: Any, tool_use_id: str | None) -> str | None:
    """Judge this call against the agent's ring and add it to the ring (the caller holds the write transaction)."""
    key = content_key(tool_input)
    rows = conn.execute(
        """SELECT tool_name, input_key, changes_files, denied, novel FROM tool_ring
           WHERE session_id = ? AND agent_id = ? ORDER BY id DESC LIMIT ?""",
        (session_id, agent_id, RING_SIZE),
    ).fetchall()
    reason = judge(rows, tool_name, key, settings)
    row_id = conn.execute(
        """INSERT INTO tool_ring (session_id, agent_id, tool_use_id, tool_name, input_key, changes_files, denied)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (session_id, agent_id, tool_use_id or None, tool_name, key, int(tool_name in FILE_CHANGING_TOOLS),
         int(reason is not None)),
    ).lastrowid
    if row_id is not None and row_id % FORGET_EVERY == 0:
        conn.execute("DELETE FROM tool_ring WHERE ts < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)", (FORGET_AFTER,))
    if row_id is not None and row_id % PRUNE_EVERY == 0:
        conn.execute(
            """DELETE FROM tool_ring WHERE session_id = ? AND agent_id = ? AND id <= (
                   SELECT id FROM tool_ring WHERE session_id = ? AND agent_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)""",
            (session_id, agent_id, session_id, agent_id, RING_SIZE),
        )
    return reason


def record_result(conn: sqlite3.Connection, session_id: str, agent_id: str, tool_use_id: str, result: Any) -> None:
    """Note a call's result key and whether this agent had seen that result before (PostToolUse)."""
    key = content_key(result)
    conn.execute(
        """UPDATE tool_ring SET result_key = ?, novel = NOT EXISTS (
               SELECT 1 FROM tool_ring WHERE session_id = ? AND agent_id = ? AND result_key = ?
                   AND tool_use_id IS NOT ?)
           WHERE tool_use_id = ? AND session_id = ? AND agent_id = ?""",
        (key, session_id, agent_id, key, tool_use_id, tool_use_id, session_id, agent_id),
    )

