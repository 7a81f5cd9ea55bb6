"""Two short Claude Code sessions for `thrifty demo`'s cost report, written the way Claude Code writes transcripts.

The demo has no real history to report on, so it writes these under its own throwaway config directory: a main
thread calling built-in and thrifty tools, and one subagent with its meta file. Fixed numbers, no randomness. (The
test suite's generator, tests/fixtures_gen/synth.py, covers far more cases and stays out of the package.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

VERSION = "2.1.330"
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
# (session id, project dir, main model, subagent model, tools the main thread calls turn by turn)
SESSIONS = (
    ("5e55a0d1-7c1e-4b3a-9d2f-0a6e1c4b8d01", "/home/dev/shop", "claude-sonnet-4-6", "claude-haiku-4-5-20251001",
     (("Read", "Read"), ("mcp__plugin_thrifty_thrifty__read_many",), ("Bash",), ())),
    ("b7d0c3e2-41f6-4e8a-8c57-3f9a2d6e1b02", "/home/dev/web", "claude-opus-4-8", "claude-sonnet-4-6",
     (("mcp__plugin_thrifty_thrifty__grep_and_read",), ("Grep", "Read"), ("mcp__plugin_thrifty_thrifty__run_checks",),
      ())),
)


class _Thread:
    """One transcript: each request sends the whole context; what the previous one cached is read from cache."""

    def __init__(self, path: Path, session_id: str, cwd: str, clock: datetime, agent_id: str | None = None) -> None:
        self.path, self.session_id, self.cwd, self.clock, self.agent_id = path, session_id, cwd, clock, agent_id
        self.context, self.cached, self.count = 14_000, 0, 0
        self.lines: list[str] = []

    def _record(self, kind: str, message: dict[str, object], **extra: object) -> None:
        self.clock += timedelta(seconds=20)
        self.count += 1
        record: dict[str, object] = {
            "parentUuid": None, "isSidechain": self.agent_id is not None, "userType": "external", "cwd": self.cwd,
            "sessionId": self.session_id, "version": VERSION, "type": kind,
            "uuid": f"{self.count:08x}-0000-4000-{'b' if self.agent_id else 'a'}000-{self.session_id[-12:]}",
            "timestamp": self.clock.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "message": message, **extra,
        }
        if self.agent_id:
            record["agentId"] = self.agent_id
        self.lines.append(json.dumps(record, separators=(",", ":")))

    def prompt(self, text: str) -> None:
        self._record("user", {"role": "user", "content": text})
        self.context += 60

    def turn(self, model: str, tools: tuple[str, ...], output: int = 400) -> None:
        ident = f"{self.session_id[:8]}{self.agent_id or 'main'}{self.count:04d}"  # ids are unique across files
        blocks: list[dict[str, object]] = [{"type": "text", "text": "Working on it."}]
        blocks += [{"type": "tool_use", "id": f"toolu_01demo{ident}{i}", "name": name, "input": {}}
                   for i, name in enumerate(tools)]
        fresh = self.context - self.cached
        usage = {"input_tokens": 3, "cache_creation_input_tokens": fresh - 3, "cache_read_input_tokens": self.cached,
                 "cache_creation": {"ephemeral_5m_input_tokens": fresh - 3, "ephemeral_1h_input_tokens": 0},
                 "output_tokens": output, "service_tier": "standard"}
        message = {"id": f"msg_01demo{ident}", "type": "message", "role": "assistant", "model": model,
                   "content": blocks, "stop_reason": "tool_use" if tools else "end_turn", "usage": usage}
        self._record("assistant", message, requestId=f"req_011Cdemo{ident}")
        self.cached, self.context = self.context, self.context + output
        for i, _ in enumerate(tools):
            result = "line of a file\n" * (150 + 90 * i)
            self._record("user", {"role": "user", "content": [
                {"tool_use_id": f"toolu_01demo{ident}{i}", "type": "tool_result", "content": result}]})
            self.context += len(result) // 4

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")


def write_sessions(projects: Path) -> None:
    """The demo's sessions under `projects` (a Claude Code `projects/` directory)."""
    for index, (session_id, cwd, model, sub_model, turns) in enumerate(SESSIONS):
        folder = projects / "".join(c if c.isalnum() else "-" for c in cwd)
        main = _Thread(folder / f"{session_id}.jsonl", session_id, cwd, START + timedelta(hours=3 * index))
        main.prompt("Fix the discount rule and check the cart totals.")
        for tools in turns:
            main.turn(model, tools)
        agent_id = f"a{index + 1}f3c9e21b7d04a6"
        sub = _Thread(folder / session_id / "subagents" / f"agent-{agent_id}.jsonl", session_id, cwd, main.clock,
                      agent_id)
        sub.prompt("Find every caller of the discount rule.")
        sub.turn(sub_model, ("Grep",), output=150)
        sub.turn(sub_model, (), output=300)
        sub.path.parent.mkdir(parents=True, exist_ok=True)
        sub.path.with_name(f"agent-{agent_id}.meta.json").write_text(
            json.dumps({"agentType": "Explore", "description": "find callers", "toolUseId": "", "spawnDepth": 1}),
            encoding="utf-8")
        main.save()
        sub.save()
