"""Hook events for the savings tests: PreToolUse/PostToolUse/SubagentStop inputs as Claude Code sends them, run
through the real hook subprocess under the bare interpreter the plugin uses."""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fixtures_gen.hooks import HOOK_TIMEOUT_S, hook_command, hook_env

_IDS = itertools.count(1)


def event(session_id: str, project: Path, tool_name: str, tool_input: dict[str, Any], *,
          agent_id: str | None = None, tool_use_id: str | None = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "session_id": session_id, "transcript_path": str(project / "no-transcript.jsonl"), "cwd": str(project),
        "hook_event_name": "PreToolUse", "tool_name": tool_name, "tool_input": tool_input,
        "tool_use_id": tool_use_id or f"toolu_sv{next(_IDS):06d}",
    }
    if agent_id is not None:
        found.update(agent_id=agent_id, agent_type="general-purpose")
    found.update(extra)
    return found


def run(event_name: str, payload: dict[str, Any], options: Mapping[str, object] | None = None) -> dict[str, Any]:
    """The hook's JSON reply ({} when silent); it must exit 0 with nothing on stderr."""
    done = subprocess.run(hook_command(event_name), input=json.dumps(payload), capture_output=True, text=True,
                          env=hook_env({"loop_repeat_limit": 0, "loop_idle_limit": 0, **(options or {})}),
                          timeout=HOOK_TIMEOUT_S, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def context_of(reply: dict[str, Any]) -> str | None:
    return (reply.get("hookSpecificOutput") or {}).get("additionalContext")


def denial_of(reply: dict[str, Any]) -> str | None:
    specific = reply.get("hookSpecificOutput") or {}
    return specific.get("permissionDecisionReason") if specific.get("permissionDecision") == "deny" else None


def write_lines(path: Path, count: int) -> Path:
    path.write_text("".join(f"value_{i} = {i} * 2  # a line of ordinary code\n" for i in range(count)),
                    encoding="utf-8")
    return path
