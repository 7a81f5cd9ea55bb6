"""A logged Messages API request, with the questions tests ask of it.

Claude Code sends `system` (a list of text blocks), `tools` (full schemas of the tools loaded up front), and
`messages`, where it also appends `role: "system"` messages (deferred tool names, reminders): so look through all
messages, not only the last one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


def _text_of(content: Any) -> str:
    """All text in a message's content (a string or a list of blocks), tool results included."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        elif block.get("type") == "tool_result":
            parts.append(_text_of(block.get("content")))
    return "\n".join(parts)


@dataclass(frozen=True)
class ToolResult:
    tool_use_id: str
    text: str
    is_error: bool
    raw: dict[str, Any]


@dataclass
class ApiRequest:
    """One POST /v1/messages as received: `index` in arrival order, `path`, `headers` and the JSON `body`."""

    index: int
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes

    @property
    def session_id(self) -> str:
        """The Claude Code session that sent it (its `x-claude-code-session-id` header)."""
        return self.headers.get("x-claude-code-session-id", "")

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    def tool_names(self) -> list[str]:
        """Tools offered with their full schema (not deferred)."""
        return [str(t.get("name")) for t in self.body.get("tools") or []]

    def tool(self, name: str) -> dict[str, Any] | None:
        return next((t for t in self.body.get("tools") or [] if t.get("name") == name), None)

    def system_text(self) -> str:
        system = self.body.get("system")
        return system if isinstance(system, str) else _text_of(system)

    def first_user_text(self) -> str:
        first = next((m for m in self.messages if m.get("role") == "user"), None)
        return _text_of(first.get("content")) if first else ""

    def texts(self, role: str | None = None) -> list[str]:
        """The text of every message (of `role` if given), tool results included."""
        return [_text_of(m.get("content")) for m in self.messages if role is None or m.get("role") == role]

    def all_text(self) -> str:
        """System prompt and every message's text: for `"needle" in request.all_text()`."""
        return "\n".join([self.system_text(), *self.texts()])

    def tool_results(self) -> list[ToolResult]:
        """Every tool_result block the request carries, oldest first."""
        blocks = [block for message in self.messages if isinstance(message.get("content"), list)
                  for block in message["content"] if isinstance(block, dict) and block.get("type") == "tool_result"]
        return [ToolResult(str(b.get("tool_use_id")), _text_of(b.get("content")), bool(b.get("is_error")), b)
                for b in blocks]

    def tool_result(self, tool_use_id: str) -> ToolResult | None:
        return next((r for r in self.tool_results() if r.tool_use_id == tool_use_id), None)

    def last_tool_result(self) -> ToolResult | None:
        results = self.tool_results()
        return results[-1] if results else None

    def tool_uses(self) -> Iterator[dict[str, Any]]:
        """The tool_use blocks of the assistant messages replayed in this request."""
        for message in self.messages:
            if message.get("role") == "assistant" and isinstance(message.get("content"), list):
                yield from (b for b in message["content"] if isinstance(b, dict) and b.get("type") == "tool_use")

    def size(self) -> int:
        return len(self.raw)

    def dumps(self) -> str:
        return json.dumps(self.body, indent=1)
