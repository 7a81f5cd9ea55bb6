"""Run a plugin hook once, as Claude Code runs it, and measure what its output would add to the conversation
(per the hooks reference: JSON additionalContext or a block reason; plain stdout only for SessionStart and the
prompt events; stderr of exit 2 only for events that can block)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

PLAIN_STDOUT_EVENTS = frozenset({"SessionStart", "UserPromptSubmit", "UserPromptExpansion"})
BLOCKING_EVENTS = frozenset(
    {"PreToolUse", "PostToolUse", "PostToolBatch", "UserPromptSubmit", "UserPromptExpansion", "Stop", "SubagentStop"}
)
PROBE_SESSION = "thrifty-footprint-probe"


class HookRun(BaseModel):
    event: str
    command: str
    exit_code: int | None  # None: timed out or could not start
    seconds: float
    stdout_chars: int
    context: str  # the text the model would receive from this run

    @property
    def note(self) -> str:
        if self.exit_code is None:
            return "did not finish"
        quiet = "no output" if self.stdout_chars == 0 else f"{self.stdout_chars} chars of output"
        return f"exit {self.exit_code}, {quiet}, {self.seconds:.2f} s"


def context_added(event: str, exit_code: int | None, stdout: str, stderr: str) -> str:
    if exit_code == 2:
        return stderr if event in BLOCKING_EVENTS else ""
    if exit_code != 0:
        return ""
    if stdout.lstrip().startswith("{"):
        try:
            reply: Any = json.loads(stdout)
        except ValueError:
            reply = None
        if isinstance(reply, dict):
            parts = [(reply.get("hookSpecificOutput") or {}).get("additionalContext") or ""]
            if reply.get("decision") == "block":
                parts.append(str(reply.get("reason") or ""))
            return "\n".join(part for part in parts if part)
    return stdout if event in PLAIN_STDOUT_EVENTS else ""


def probe_event(event: str, project: Path, scratch: Path) -> dict[str, Any]:
    """A minimal, well-formed input for `event`, pointing at an empty transcript under `scratch`."""
    transcript = scratch / f"{PROBE_SESSION}.jsonl"
    transcript.touch()
    common: dict[str, Any] = {
        "session_id": PROBE_SESSION, "transcript_path": str(transcript), "cwd": str(project),
        "hook_event_name": event, "permission_mode": "default",
    }
    extra: dict[str, dict[str, Any]] = {
        "SessionStart": {"source": "startup"},
        "Stop": {"stop_hook_active": False, "last_assistant_message": ""},
        "SubagentStop": {
            "stop_hook_active": False, "last_assistant_message": "", "agent_id": "probe",
            "agent_type": "general-purpose", "agent_transcript_path": str(transcript),
        },
        "UserPromptSubmit": {"prompt": ""},
        "PreToolUse": {"tool_name": "Read", "tool_input": {"file_path": str(project / "x")}, "tool_use_id": "probe"},
        "PostToolUse": {"tool_name": "Read", "tool_input": {"file_path": str(project / "x")}, "tool_use_id": "probe",
                        "tool_response": {}},
        "PostToolUseFailure": {"tool_name": "Read", "tool_input": {"file_path": str(project / "x")},
                               "tool_use_id": "probe", "error": "probe", "is_interrupt": False},
    }
    return common | extra.get(event, {})


def run_hook(
    handler: dict[str, Any], event: str, *, root: Path, project: Path, data: Path, scratch: Path,
    timeout: float | None = None,
) -> HookRun:
    """Run one hooks.json handler with plugin variables set; `data` is the data dir the hook may write to."""
    values = {"CLAUDE_PLUGIN_ROOT": str(root), "CLAUDE_PLUGIN_DATA": str(data), "CLAUDE_PROJECT_DIR": str(project)}

    def substitute(text: str) -> str:
        for key, value in values.items():
            text = text.replace("${" + key + "}", value)
        return text

    command = str(handler.get("command", ""))
    # The command comes from the plugin's own hooks.json, never from tool input; shell form is what Claude Code runs.
    if "args" in handler:
        argv = [substitute(command), *map(substitute, handler["args"])]
    else:
        argv = ["sh", "-c", substitute(command)]
    env = dict(os.environ, **values, THRIFTY_DATA_DIR=str(data))
    limit = timeout if timeout is not None else float(handler.get("timeout", 600))
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv, input=json.dumps(probe_event(event, project, scratch)), capture_output=True, text=True,
            env=env, cwd=project, timeout=limit, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return HookRun(event=event, command=command, exit_code=None, seconds=time.monotonic() - started,
                       stdout_chars=0, context="")
    return HookRun(
        event=event, command=command, exit_code=done.returncode, seconds=time.monotonic() - started,
        stdout_chars=len(done.stdout), context=context_added(event, done.returncode, done.stdout, done.stderr),
    )
