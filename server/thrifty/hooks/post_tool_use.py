"""PostToolUse / PostToolUseFailure (async): the call's result for the loop guard, the session's new spend.

Runs in the background (`async: true` in hooks.json), so it never delays the agent; its output is ignored.
Standard library only.
"""

from __future__ import annotations

from typing import Any


def handle(event_name: str, event: dict[str, Any]) -> dict[str, Any] | None:
    from thrifty.guard.gate import post_tool_use

    post_tool_use(event)
    return None
