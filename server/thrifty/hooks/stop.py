"""Stop / SubagentStop / SessionEnd: ingest the session's new transcript lines into the ledger as each turn ends.

Work is proportional to the bytes added since the last run: the main transcript, the subagent transcripts in the
session's `subagents/` folder and, for SubagentStop, `agent_transcript_path`. With `team_db` or `otlp_endpoint`
set, it then starts the team sync / export as a detached background process (thrifty.team.spawn) and returns.
Standard library only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def handle(event_name: str, event: dict[str, Any]) -> dict[str, Any] | None:
    from thrifty.ledger.db import connect
    from thrifty.ledger.ingest import ingest_files, session_files
    from thrifty.paths import ledger_path, transcripts_dir

    paths: list[Path] = []
    transcript = event.get("transcript_path")
    if isinstance(transcript, str) and transcript:
        paths.extend(session_files(Path(transcript).expanduser()))
    agent_transcript = event.get("agent_transcript_path")
    if isinstance(agent_transcript, str) and agent_transcript:
        paths.append(Path(agent_transcript).expanduser())
    if not paths:
        return None
    conn = connect(ledger_path())
    try:
        ingest_files(conn, paths, transcripts_dir())
    finally:
        conn.close()
    from thrifty.guard.settings import project_dir_of
    from thrifty.team.spawn import start

    start(project_dir_of(event))  # team sync / OTLP export in the background when configured; never waited on
    return None
