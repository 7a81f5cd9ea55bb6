"""The tool-call gate behind PreToolUse and PostToolUse: budgets and the loop guard, from the ledger.

PreToolUse resolves the settings (environment and at most two small project files) and returns at once when budgets
and the loop guard are both off. With budgets on, it first ingests the session's new transcript bytes (the turn
that just ended and asked for this call is already written; work proportional to the new bytes), then reads the
spend of the budgets that apply (indexed SUMs over `turns`). In one short write transaction it judges and records
the call in the loop-guard ring, records the one-time notices it is about to give (INSERT OR IGNORE, so concurrent
hooks give each notice once) and the settings it used. The async PostToolUse records the call's result for the
loop guard's idle rule and ingests too, so the ledger is current between calls. If another writer holds the ledger
longer than `WRITE_WAIT_MS` (a cold `thrifty report` writing a large history), PreToolUse decides on the spend
already recorded and on budgets alone rather than wait. Other errors propagate to the dispatcher, which logs them
and exits 0 (fail open). Standard library only.
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
from thrifty.guard.settings import FAN_OUT_TOOLS, Settings, project_dir_of, resolve
from thrifty.guard.team_budget import team_budgets
from thrifty.ledger.db import LedgerError, connect, transaction
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
    try:
        conn = connect(ledger_path(env))
    except LedgerError as exc:
        return _cannot_compute(settings, tool_name, exc)
    try:
        conn.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
        budgets = []
        try:
            day = today or date.today()
            if settings.budgets_on:
                catch_up(conn, event, env, wait=False)  # the turn that asked for this call counts before we decide
                budgets = evaluate(conn, settings, session_id, agent_id, day)
            budgets += team_budgets(conn, settings, session_id, day)
        except (sqlite3.Error, OverflowError) as exc:
            return _cannot_compute(settings, tool_name, exc)
        budget_plan = plan(budgets, settings, tool_name)
        notices = budget_plan.notices + settings_notices(settings)
        loop_reason, shown = None, []
        try:
            with transaction(conn):
                if settings.loop_guard_on and tool_name:
                    loop_reason = check_and_record(conn, settings, session_id, agent_id, tool_name,
                                                   event.get("tool_input"), _str(event.get("tool_use_id")))
                shown = [notice for notice in notices if first_time(conn, session_id, notice)]
                for reason, why in ((budget_plan.deny_reason, "budget"), (loop_reason, "loop")):
                    if reason:
                        record_refusal(conn, session_id, agent_id, tool_name, why)
                remember_settings(conn, session_id, settings)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            loop_reason, shown = None, []  # another writer held the ledger too long: decide on budgets alone
    finally:
        conn.close()
    deny = " ".join(reason for reason in (budget_plan.deny_reason, loop_reason) if reason) or None
    return reply(deny, budget_plan.stop_reason, shown)


def _cannot_compute(settings: Settings, tool_name: str, error: Exception) -> dict[str, Any] | None:
    """The spend cannot be read: fail open (re-raise: the dispatcher logs it and allows the call) unless the user
    set `budget_fail = closed`, which refuses new subagents, and says why, until the ledger can be read again."""
    if settings["budget_fail"] != "closed" or not settings.budgets_on or tool_name not in FAN_OUT_TOOLS:
        raise error
    reason = (f"thrifty: the budget cannot be checked ({shorten_error(error)}), and budget_fail = closed "
              f"({settings.sources['budget_fail']}) refuses new subagents until it can; {tool_name} is refused. "
              "Run `thrifty report` to see the ledger's problem, or set budget_fail = open.")
    return reply(reason, None, [])


def shorten_error(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 160 else text[:159] + "…"


def post_tool_use(event: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> None:
    """Record the call's result for the idle rule and bring the session's spend up to date (async hook)."""
    ids = _ids(event)
    if ids is None:
        return
    session_id, agent_id = ids
    settings = resolve(project_dir_of(event, env), env)
    tool_use_id = _str(event.get("tool_use_id"))
    wants_result = bool(settings["loop_idle_limit"]) and tool_use_id is not None
    wants_spend = settings.budgets_on and _str(event.get("transcript_path")) is not None
    if not wants_result and not wants_spend:
        return
    conn = connect(ledger_path(env))
    try:
        if wants_result and tool_use_id is not None:
            result = event["tool_response"] if "tool_response" in event else {"error": event.get("error")}
            with transaction(conn):
                record_result(conn, session_id, agent_id, tool_use_id, result)
        if wants_spend:
            catch_up(conn, event, env, wait=True)
    finally:
        conn.close()


def catch_up(conn: sqlite3.Connection, event: Mapping[str, Any], env: Mapping[str, str], *, wait: bool) -> None:
    """Ingest the session's new transcript bytes (main thread and subagents): work proportional to what is new.

    Claude Code writes the assistant message that asks for a tool call before PreToolUse runs, so after this the
    spend includes the turn that just ended. Without `wait`, a writer holding the ledger past the busy timeout
    leaves the spend as it was (the call is decided on it) rather than stall the agent.
    """
    transcript = _str(event.get("transcript_path"))
    if transcript is None:
        return
    from thrifty.ledger.ingest import ingest_files, session_files

    try:
        ingest_files(conn, session_files(Path(transcript).expanduser()), transcripts_dir(env))  # type: ignore[arg-type]
    except sqlite3.OperationalError as exc:
        if wait or ("locked" not in str(exc) and "busy" not in str(exc)):
            raise


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


def record_refusal(conn: sqlite3.Connection, session_id: str, agent_id: str, tool_name: str, reason: str) -> None:
    """Count a refused call for `thrifty.budget.refusals` (reason: budget or loop)."""
    conn.execute("INSERT INTO refusals (session_id, agent_id, tool_name, reason) VALUES (?, ?, ?, ?)",
                 (session_id, agent_id, tool_name, reason))


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
