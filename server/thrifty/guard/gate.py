"""The tool-call gate behind PreToolUse and PostToolUse: budgets and the loop guard, from the ledger only.

PreToolUse resolves the settings (environment and at most two small project files), returns at once when budgets
and the loop guard are both off, else reads the spend of the budgets that apply (indexed SUMs over `turns`) and, in
one short write transaction, judges and records the call in the loop-guard ring, records the one-time notices it
is about to give (INSERT OR IGNORE, so concurrent hooks give each notice once) and the settings it used. It never
reads transcripts. Spend lags by whatever the transcript holds that the ledger does not, so the async PostToolUse
ingests the session's new transcript bytes after every call (work proportional to the new bytes) and records the
call's result for the loop guard's idle rule. If another writer holds the ledger longer than `WRITE_WAIT_MS`
(a cold `thrifty report` writing a large history), the call is decided on budgets alone rather than wait. Other
errors propagate to the dispatcher, which logs them and exits 0 (fail open). Standard library only.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from thrifty.guard.budgets import MAIN_AGENT, evaluate
from thrifty.guard.enforce import Notice, plan, reply
from thrifty.guard.loop_guard import check_and_record, content_key, record_result
from thrifty.guard.settings import Settings, project_dir_of, resolve
from thrifty.ledger.db import connect, transaction
from thrifty.paths import ledger_path, transcripts_dir

WRITE_WAIT_MS = 1_500  # the agent waits on this hook: past this, skip the loop-guard and notice writes this once


def _ids(event: Mapping[str, Any]) -> tuple[str, str] | None:
    session_id = event.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        return None
    agent_id = event.get("agent_id")
    return session_id, agent_id if isinstance(agent_id, str) and agent_id else MAIN_AGENT


def pre_tool_use(event: Mapping[str, Any], env: Mapping[str, str] = os.environ, today: date | None = None
                 ) -> dict[str, Any] | None:
    """The PreToolUse reply for this call, or None to stay silent."""
    ids = _ids(event)
    if ids is None:
        return None
    session_id, agent_id = ids
    tool_name = str(event.get("tool_name") or "")
    settings = resolve(project_dir_of(event, env), env)
    if not settings.budgets_on and not settings.loop_guard_on and not settings.errors:
        return None
    conn = connect(ledger_path(env))  # type: ignore[arg-type]
    try:
        budgets = evaluate(conn, settings, session_id, agent_id, today or date.today()) if settings.budgets_on else []
        budget_plan = plan(budgets, settings, tool_name)
        notices = budget_plan.notices + settings_notices(settings)
        loop_reason, shown = None, []
        conn.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
        try:
            with transaction(conn):
                if settings.loop_guard_on and tool_name:
                    loop_reason = check_and_record(conn, settings, session_id, agent_id, tool_name,
                                                   event.get("tool_input"), _str(event.get("tool_use_id")))
                shown = [notice for notice in notices if first_time(conn, session_id, notice)]
                remember_settings(conn, session_id, settings)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            loop_reason, shown = None, []  # another writer held the ledger too long: decide on budgets alone
    finally:
        conn.close()
    deny = " ".join(reason for reason in (budget_plan.deny_reason, loop_reason) if reason) or None
    return reply(deny, budget_plan.stop_reason, shown)


def post_tool_use(event: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> None:
    """Record the call's result for the idle rule and bring the session's spend up to date (async hook)."""
    ids = _ids(event)
    if ids is None:
        return
    session_id, agent_id = ids
    settings = resolve(project_dir_of(event, env), env)
    tool_use_id = _str(event.get("tool_use_id"))
    wants_result = bool(settings["loop_idle_limit"]) and tool_use_id is not None
    transcript = _str(event.get("transcript_path"))
    wants_spend = settings.budgets_on and transcript is not None
    if not wants_result and not wants_spend:
        return
    conn = connect(ledger_path(env))  # type: ignore[arg-type]
    try:
        if wants_result and tool_use_id is not None:
            result = event["tool_response"] if "tool_response" in event else {"error": event.get("error")}
            with transaction(conn):
                record_result(conn, session_id, agent_id, tool_use_id, result)
        if wants_spend and transcript is not None:
            from thrifty.ledger.ingest import ingest_files, session_files

            ingest_files(conn, session_files(Path(transcript).expanduser()), transcripts_dir(env))  # type: ignore[arg-type]
    finally:
        conn.close()


def settings_notices(settings: Settings) -> list[Notice]:
    """Bad settings are told to the user once per distinct set of errors (not to the model)."""
    if not settings.errors:
        return []
    text = "thrifty: budget settings: " + "; ".join(settings.errors)
    return [Notice(f"settings:{content_key(settings.errors)}", "error", 0.0, text, "")]


def first_time(conn: sqlite3.Connection, session_id: str, notice: Notice) -> bool:
    cursor = conn.execute(
        "INSERT OR IGNORE INTO budget_notices (session_id, budget, level, limit_value) VALUES (?, ?, ?, ?)",
        (session_id, notice.key, notice.level, notice.limit),
    )
    return cursor.rowcount == 1


def remember_settings(conn: sqlite3.Connection, session_id: str, settings: Settings) -> None:
    """Keep the settings this session's hooks enforce, for `thrifty budget` and watch (written only on change)."""
    text = settings.to_json()
    row = conn.execute("SELECT settings FROM budget_settings WHERE session_id = ?", (session_id,)).fetchone()
    if row is None or row[0] != text:
        conn.execute(
            """INSERT INTO budget_settings (session_id, project_dir, settings) VALUES (?, ?, ?)
               ON CONFLICT (session_id) DO UPDATE SET project_dir = excluded.project_dir,
                   settings = excluded.settings, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')""",
            (session_id, settings.project_dir, text),
        )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
