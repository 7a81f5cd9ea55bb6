"""The tool-call gate behind PreToolUse and PostToolUse: budgets, the loop guard, steering hints (`steer`) and the
spawn ceiling (`spawns`), from the ledger.

PreToolUse resolves the settings (environment and at most two small project files) and returns at once when all of
them are off. With budgets on, it first ingests the session's new transcript bytes (the turn
that just ended and asked for this call is already written; work proportional to the new bytes), then reads the
spend of the budgets that apply (indexed SUMs over `turns`). In one short write transaction it judges and records
the call in the loop-guard ring, records the one-time notices it is about to give (INSERT OR IGNORE, so concurrent
hooks give each notice once) and the settings it used. The async PostToolUse records the call's result for the
loop guard's idle rule and the call's facts for the savings report (`savings.events`), and ingests too, so the
ledger is current between calls. If another writer holds the ledger
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

from thrifty.guard import spawns, steer
from thrifty.guard.budgets import MAIN_AGENT, evaluate
from thrifty.guard.enforce import Notice, plan, reply
from thrifty.guard.loop_guard import check_and_record, content_key, record_result
from thrifty.guard.settings import FAN_OUT_TOOLS, Settings, project_dir_of, resolve
from thrifty.guard.team_budget import team_budgets
from thrifty.ledger.db import LedgerError, connect, transaction
from thrifty.paths import ledger_path, transcripts_dir
from thrifty.savings import events

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
    project_dir = project_dir_of(event, env)
    settings = resolve(project_dir, env)
    spawning = tool_name in FAN_OUT_TOOLS and settings.spawn_ceiling_on
    if not (settings.budgets_on or settings.loop_guard_on or settings.errors or settings.steer_on or spawning):
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
        loop_reason, spawn_reason, hint, shown = None, None, None, []
        tool_use_id = _str(event.get("tool_use_id"))
        try:
            with transaction(conn):
                if settings.steer_on and tool_name:
                    hint = steer.hint_for(tool_name, event.get("tool_input"), project_dir,
                                          recent_calls(conn, session_id, agent_id))
                if (settings.loop_guard_on or settings.steer_on) and tool_name:
                    loop_reason = check_and_record(conn, settings, session_id, agent_id, tool_name,
                                                   event.get("tool_input"), tool_use_id)
                    if hint is not None:
                        mark_hint(conn, session_id, agent_id, hint.pattern)
                if spawning and not (budget_plan.deny_reason or loop_reason):
                    spawn_reason = spawns.refusal(conn, settings, session_id)
                    if spawn_reason is None:
                        spawns.record_spawn(conn, session_id, agent_id, tool_use_id or os.urandom(16).hex())
                refused = bool(budget_plan.deny_reason or loop_reason or spawn_reason) or (
                    hint is not None and settings["steer"] == "enforce")
                if ((settings.loop_guard_on or settings.steer_on) and tool_name and not refused
                        and tool_use_id is not None and tool_name in events.PRE_RECORDED):
                    # only a call that will run: a refused Read is no whole_file_read waste in `report savings`
                    fact = events.fact_of(event, project_dir)
                    if fact is not None:
                        events.record(conn, session_id, agent_id, tool_use_id, tool_name, fact, before=True)
                shown = [notice for notice in notices if first_time(conn, session_id, notice)]
                for reason, why in ((budget_plan.deny_reason, "budget"), (loop_reason, "loop"),
                                    (spawn_reason, "spawn")):
                    if reason:
                        record_refusal(conn, session_id, agent_id, tool_name, why)
                remember_settings(conn, session_id, settings)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            loop_reason, shown = None, []  # another writer held the ledger too long: decide on budgets alone
    finally:
        conn.close()
    deny = " ".join(reason for reason in (budget_plan.deny_reason, loop_reason, spawn_reason) if reason) or None
    answer = reply(deny, budget_plan.stop_reason, shown)
    if hint is not None and not deny:
        answer = steer.add_to_reply(answer, hint, enforce=settings["steer"] == "enforce")
    return answer


def recent_calls(conn: sqlite3.Connection, session_id: str, agent_id: str) -> list[tuple[str, str | None]]:
    """(tool name, hint given) of the agent's last calls, newest first, for the steering rules."""
    return conn.execute(
        "SELECT tool_name, hint FROM tool_ring WHERE session_id = ? AND agent_id = ? ORDER BY id DESC LIMIT ?",
        (session_id, agent_id, steer.QUIET_CALLS),
    ).fetchall()


def mark_hint(conn: sqlite3.Connection, session_id: str, agent_id: str, pattern: str) -> None:
    conn.execute(
        """UPDATE tool_ring SET hint = ? WHERE id = (
               SELECT MAX(id) FROM tool_ring WHERE session_id = ? AND agent_id = ?)""",
        (pattern, session_id, agent_id),
    )


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
    """Record the call's result for the loop guard's rules and bring the session's spend up to date (async hook)."""
    ids = _ids(event)
    if ids is None:
        return
    session_id, agent_id = ids
    project_dir = project_dir_of(event, env)
    settings = resolve(project_dir, env)
    tool_use_id = _str(event.get("tool_use_id"))
    wants_result = bool(settings["loop_idle_limit"] or settings["loop_repeat_limit"]) and tool_use_id is not None
    wants_spend = settings.budgets_on and _str(event.get("transcript_path")) is not None
    failed = "tool_response" not in event
    fact = events.fact_of(event, project_dir) if tool_use_id is not None and not failed else None
    spawn_failed = failed and tool_use_id is not None and event.get("tool_name") in FAN_OUT_TOOLS
    if not wants_result and not wants_spend and fact is None and not spawn_failed:
        return
    conn = connect(ledger_path(env))
    try:
        if (wants_result or fact is not None or spawn_failed) and tool_use_id is not None:
            result = event["tool_response"] if not failed else {"error": event.get("error")}
            with transaction(conn):
                if wants_result:
                    record_result(conn, session_id, agent_id, tool_use_id, result)
                if fact is not None:
                    events.record(conn, session_id, agent_id, tool_use_id, str(event.get("tool_name")), fact)
                if spawn_failed:
                    spawns.record_end(conn, session_id, f"fail:{tool_use_id}")
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
    """Count a refused call for `thrifty.budget.refusals` (reason: budget, loop or spawn)."""
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
