"""Record the exact JSON Claude Code sends to hooks, through a project settings file, next to thrifty's hooks.

Project hooks run alongside the plugin's, so a test can settle what an event carries (PostToolUseFailure's fields,
a subagent's agent_id) from the client itself rather than from documentation.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any

EVENTS = ("PreToolUse", "PostToolUse", "PostToolUseFailure", "SubagentStart", "SubagentStop", "Stop", "SessionEnd")


class HookRecorder:
    """`HookRecorder(project, log_dir).install()` then, after a run, `.payloads("PostToolUseFailure")`."""

    def __init__(self, project: Path, log_dir: Path, events: Iterable[str] = EVENTS) -> None:
        self.project, self.log_dir, self.events = project, log_dir, tuple(events)

    def install(self) -> HookRecorder:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        hooks = {event: [{"hooks": [{"type": "command", "command": self._command(event)}]}] for event in self.events}
        settings = self.project / ".claude" / "settings.json"
        settings.parent.mkdir(parents=True, exist_ok=True)
        existing = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
        settings.write_text(json.dumps(existing | {"hooks": hooks}, indent=1), encoding="utf-8")
        return self

    def _command(self, event: str) -> str:
        # Each payload on its own line; `cat` copies stdin byte for byte.
        return f"{{ cat; echo; }} >> {shlex.quote(str(self.log_dir / f'{event}.jsonl'))}"

    def payloads(self, event: str) -> list[dict[str, Any]]:
        path = self.log_dir / f"{event}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
