"""The settings each session's hooks last resolved (written by `gate.remember_settings`), for the CLI views.

userConfig reaches hooks only, not a shell, so `thrifty budget` and watch judge a session's budgets with what its
hooks recorded; a session no hook has seen yet uses what this shell resolves. Standard library only.
"""

from __future__ import annotations

import os
import sqlite3

from thrifty.guard.settings import Settings, resolve


def session_settings(conn: sqlite3.Connection, session_id: str, fallback: Settings) -> tuple[Settings, str | None]:
    """(settings the session's hooks enforce, its project dir), else (`fallback`, None)."""
    row = conn.execute("SELECT settings, project_dir FROM budget_settings WHERE session_id = ?",
                       (session_id,)).fetchone()
    if row is None:
        return fallback, None
    try:
        return Settings.from_json(row[0]), str(row[1])
    except ValueError:
        return fallback, None


def latest_settings(conn: sqlite3.Connection, fallback: Settings) -> Settings:
    """The settings hooks resolved most recently (for the machine-wide daily budget)."""
    row = conn.execute("SELECT settings FROM budget_settings ORDER BY updated_at DESC LIMIT 1").fetchone()
    if row is None:
        return fallback
    try:
        return Settings.from_json(row[0])
    except ValueError:
        return fallback


def local_settings() -> Settings:
    return resolve(os.getcwd(), os.environ)
