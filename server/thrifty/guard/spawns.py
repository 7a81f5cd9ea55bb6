"""The spawn ceiling: `max_subagents` per session (background and nested ones included) and
`max_concurrent_subagents` running at once, judged in PreToolUse from the ledger; standard library only.

An Agent call PreToolUse lets through is a spawn. A spawn ends when its subagent's SubagentStop fires (by agent id)
or the Agent call fails (PostToolUseFailure). Running = spawns - ends. A spawn that never starts for another reason
(the user refuses the permission prompt) stays counted as running until the session ends: the ceiling errs on the
side of refusing, and the refusal says how to raise it.
"""

from __future__ import annotations

import sqlite3

from thrifty.guard.enforce import POLICY_REFUSAL
from thrifty.guard.settings import Settings

SPAWN_REFUSAL = POLICY_REFUSAL.format(rule="spawn ceiling")


def refusal(conn: sqlite3.Connection, settings: Settings, session_id: str) -> str | None:
    """The reason to refuse this Agent call, or None."""
    total_limit, running_limit = settings["max_subagents"], settings["max_concurrent_subagents"]
    started = conn.execute("SELECT COUNT(*) FROM spawns WHERE session_id = ?", (session_id,)).fetchone()[0]
    if total_limit and started >= total_limit:
        started_text = "1 subagent" if started == 1 else f"{started} subagents"
        return (f"{SPAWN_REFUSAL}: this session has already started {started_text}, its max_subagents ceiling of "
                f"{total_limit}, so this Agent call is not run. Finish with the agents you have or do the rest "
                f"yourself. {_how_to_raise('max_subagents', total_limit)}")
    if running_limit:
        ended = conn.execute("SELECT COUNT(*) FROM spawn_ends WHERE session_id = ?", (session_id,)).fetchone()[0]
        running = max(started - ended, 0)
        if running >= running_limit:
            are = "subagent of this session is" if running == 1 else "subagents of this session are"
            return (f"{SPAWN_REFUSAL}: {running} {are} still running, its max_concurrent_subagents "
                    f"ceiling of {running_limit}, so this Agent call is not run. Wait for one to finish, then retry. "
                    f"{_how_to_raise('max_concurrent_subagents', running_limit)}")
    return None


def _how_to_raise(key: str, value: int) -> str:
    return (f"The user can raise it with `{key} = {value * 2}` under [budget] in the project's .thrifty.toml, or in "
            f"the plugin's settings (`/plugin configure thrifty@thrifty`); 0 turns it off.")


def record_spawn(conn: sqlite3.Connection, session_id: str, agent_id: str, tool_use_id: str) -> None:
    conn.execute("INSERT OR IGNORE INTO spawns (tool_use_id, session_id, agent_id) VALUES (?, ?, ?)",
                 (tool_use_id, session_id, agent_id))


def record_end(conn: sqlite3.Connection, session_id: str, end_key: str) -> None:
    conn.execute("INSERT OR IGNORE INTO spawn_ends (session_id, end_key) VALUES (?, ?)", (session_id, end_key))
