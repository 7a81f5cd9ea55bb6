"""One sync run, as `thrifty sync` and the background job both do it: connect, push, refresh the team spend cache.

Every failure comes out as TeamDbError or MissingExtra with a message safe to show (the password scrubbed).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from datetime import date

from thrifty.dburl import target_key
from thrifty.guard.team_spend import TeamSpend
from thrifty.team.identity import host_name, user_name
from thrifty.team.pg import TeamDbError, connect, error_text
from thrifty.team.sync import SyncResult, sync


def sync_now(ledger: sqlite3.Connection, url: str, env: Mapping[str, str] = os.environ,
             today: date | None = None) -> tuple[SyncResult, TeamSpend]:
    user, host = user_name(env), host_name(env)
    target = target_key(url)
    pg = connect(url)  # raises MissingExtra, naming the install command, when psycopg is missing
    import psycopg

    from thrifty.team.spend import refresh

    try:
        result = sync(ledger, pg, target, user, host)
        spend = refresh(ledger, pg, target, user, host, today or date.today())
    except psycopg.Error as exc:
        raise TeamDbError(f"the team database {target[3:]} failed during the sync: {error_text(exc, url)}") from None
    finally:
        pg.close()
    return result, spend
