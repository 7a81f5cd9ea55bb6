"""The watch loop: ingest what changed under the transcripts tree and rebuild the views of the sessions it touched.

Driven by watchfiles (inotify/FSEvents through the Rust `notify` crate): nothing scans the tree while it is idle.
Changes are yielded `STEP_MS` after the last write of a burst, or every `DEBOUNCE_MS` during a continuous one, so a
grown transcript is ingested and shown well within a second. Only `*.jsonl` files count (and the ones in a new
directory). The loop also wakes every
`TICK_MS` with no changes (a no-op unless the live view redraws its clocks). watchfiles gives no signal when its
watch is in place other than its first yield (a change or the first tick), so callers take that first yield
before the first full ingestion (`start`): every write after it is then seen, none falls in between.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from thrifty.guard.recorded import local_settings
from thrifty.guard.settings import Settings
from thrifty.ledger.ingest import describe, ingest_files, ingest_tree
from thrifty.ledger.queries import utc_ts
from thrifty.watch.models import FleetView, SessionView
from thrifty.watch.views import active_sessions, fleet_view, session_view

STEP_MS = 50
DEBOUNCE_MS = 400
TICK_MS = 1_000


class Watcher:
    """The ledger kept current with the tree, and the views of the sessions that changed."""

    def __init__(self, conn: sqlite3.Connection, root: Path, window_minutes: int, burn_minutes: int) -> None:
        self.conn, self.root = conn, root
        self.window_minutes, self.burn_minutes = window_minutes, burn_minutes
        self.settings: Settings = local_settings()
        self.views: dict[str, SessionView] = {}

    def start(self, now: datetime) -> list[SessionView]:
        """Ingest the whole tree once and build every recently active session."""
        ingest_tree(self.conn, self.root)
        since = now - timedelta(minutes=self.window_minutes)
        sessions = active_sessions(self.conn, since)
        return [self._build(session_id, project, now) for session_id, project in sessions]

    def apply(self, paths: set[str], now: datetime) -> list[SessionView]:
        """Ingest the changed files; the rebuilt views of the sessions whose ledger rows they changed."""
        stats = ingest_files(self.conn, paths, self.root)
        if not stats.files_read:
            return []
        touched = {}
        for path in sorted(paths):
            source = describe(path, self.root)
            touched[source.session_id] = source.project
        return [self._build(session_id, project, now) for session_id, project in touched.items()
                if self._has_turns(session_id)]

    def fleet(self, now: datetime, rebuild: bool = True) -> FleetView:
        """All sessions active in the window; `rebuild` recomputes every one (so burn rates follow the clock),
        else only the views `apply` did not build yet."""
        since = now - timedelta(minutes=self.window_minutes)
        for session_id, project in active_sessions(self.conn, since):
            if rebuild or session_id not in self.views:
                self._build(session_id, project, now)
        cutoff = utc_ts(since)
        shown = [v for v in self.views.values() if (v.last_activity or "") >= cutoff]
        shown.sort(key=lambda v: v.last_activity or "", reverse=True)
        return fleet_view(self.conn, now, self.window_minutes, self.burn_minutes, shown)

    def _build(self, session_id: str, project: str, now: datetime) -> SessionView:
        view = session_view(self.conn, session_id, project, now, self.burn_minutes, self.settings)
        self.views[session_id] = view
        return view

    def _has_turns(self, session_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM turns WHERE session_id = ? LIMIT 1", (session_id,)).fetchone()
        return row is not None


def changes(root: Path, stop: threading.Event) -> Iterator[set[str]]:
    """Sets of changed `*.jsonl` paths under `root`, and an empty set every `TICK_MS` without changes. Ends on
    `stop` or Ctrl-C. The watch is in place once the first set is yielded."""
    from watchfiles import Change, watch

    def jsonl_or_new_dir(change: Change, path: str) -> bool:
        # A directory created with files in it (a new project or session): its files may be written before the
        # recursive watch reaches it, leaving no event of their own, so its creation stands for them.
        return path.endswith(".jsonl") or (change == Change.added and os.path.isdir(path))

    for batch in watch(root, watch_filter=jsonl_or_new_dir, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=stop,
                       rust_timeout=TICK_MS, yield_on_timeout=True, raise_interrupt=False):
        paths: set[str] = set()
        for _, path in batch:
            if path.endswith(".jsonl"):
                paths.add(path)
            else:
                paths.update(str(found) for found in Path(path).rglob("*.jsonl"))
        yield paths
