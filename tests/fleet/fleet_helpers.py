"""Fleet test helpers: generated sessions put in the ledger by the real Stop hook, hook events run as real
subprocesses under the bare interpreter the plugin's hooks use, and costs priced from a hand-written table."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fixtures_gen.hooks import HOOK_TIMEOUT_S, hook_command, hook_env
from fixtures_gen.synth import Session, Transcript, realistic_session
from thrifty.paths import transcripts_dir

MAIN_MODEL = "claude-sonnet-4-6"
# USD per million tokens (input, output, 5m write, 1h write, read), written out from the pricing reference so
# the spend in a hook's reason is checked against numbers that do not come from the code under test.
PRICES = {
    "claude-sonnet-4-6": (3, 15, 3.75, 6, 0.3),
    "claude-haiku-4-5-20251001": (1, 5, 1.25, 2, 0.1),
    "claude-opus-4-8": (5, 25, 6.25, 10, 0.5),
}
_TOOL_USE_IDS = itertools.count(1)
_DOLLARS = re.compile(r"\$([0-9][0-9,]*\.[0-9]{2})")


def run_hook(event_name: str, event: dict[str, Any] | str, options: Mapping[str, object] | None = None
             ) -> subprocess.CompletedProcess[str]:
    payload = event if isinstance(event, str) else json.dumps(event)
    return subprocess.run(hook_command(event_name), input=payload, capture_output=True,
                          text=True, env=hook_env(options), timeout=HOOK_TIMEOUT_S, check=False)


def reply(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The hook's JSON reply ({} when it printed nothing); the hook must have exited 0 without stderr noise."""
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def start_today() -> datetime:
    """A start time for generated turns that keeps them inside the local day (for daily budgets)."""
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight + timedelta(minutes=1), now - timedelta(minutes=30)).astimezone(UTC)


def make_session(seed: int, project_dir: Path, *, turns: int = 12, subagents: int = 1,
                 start: datetime | None = None) -> Session:
    """A generated session (one main model, no fast mode) whose transcripts end in the ledger via the Stop hook;
    it starts at `start`, by default `start_today()`."""
    session = realistic_session(transcripts_dir(), seed=seed, turns=turns, models=(MAIN_MODEL,),
                                subagents=subagents, start=start or start_today(), extras=False)
    stop(session, project_dir)
    return session


def stop(session: Session, project_dir: Path) -> None:
    """What Claude Code runs when the main thread's turn ends: the Stop hook, which ingests the session."""
    result = run_hook("stop", {"session_id": session.session_id, "transcript_path": str(session.main.path),
                               "cwd": str(project_dir), "hook_event_name": "Stop", "stop_hook_active": False})
    assert result.returncode == 0 and not result.stdout, result.stderr


def cost(transcripts: list[Transcript]) -> float:
    """USD of every response in these transcripts, from PRICES."""
    total = 0.0
    for transcript in transcripts:
        for r in transcript.responses:
            total += sum(p * n for p, n in zip(PRICES[r.model], r.tokens, strict=True)) / 1e6
    return total


def tool_event(session: Session, project_dir: Path, tool_name: str = "Task", tool_input: object = None, *,
               agent_id: str | None = None, tool_use_id: str | None = None, **extra: object) -> dict[str, Any]:
    """A PreToolUse input as Claude Code sends it (agent_id only inside a subagent)."""
    event: dict[str, Any] = {
        "session_id": session.session_id, "transcript_path": str(session.main.path), "cwd": str(project_dir),
        "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool_name,
        "tool_input": tool_input if tool_input is not None else {"description": "look around", "prompt": "go"},
        "tool_use_id": tool_use_id or f"toolu_test{next(_TOOL_USE_IDS):06d}",
    }
    if agent_id is not None:
        event["agent_id"] = agent_id
        event["agent_type"] = "general-purpose"
    event.update(extra)
    return event


def dollars(text: str) -> list[float]:
    """Every '$1,234.56' amount in `text`."""
    return [float(m.replace(",", "")) for m in _DOLLARS.findall(text)]
