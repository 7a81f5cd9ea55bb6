"""SessionStart: build the plugin's venv when it is missing or stale, so the MCP server starts within its limit.

Up to date, this costs a stat and a hash; it prints nothing either way, so it adds nothing to the conversation.
"""

from __future__ import annotations

from typing import Any


def handle(event_name: str, event: dict[str, Any]) -> dict[str, Any] | None:
    from thrifty.launch.environment import ensure_venv

    ensure_venv()
    return None
