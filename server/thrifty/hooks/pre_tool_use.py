"""PreToolUse: budgets and the loop guard decide before the call is made (see `thrifty.guard.gate`).

Silent (no output) while every budget is below its warning share and no loop is seen. Standard library only.
"""

from __future__ import annotations

from typing import Any


def handle(event_name: str, event: dict[str, Any]) -> dict[str, Any] | None:
    from thrifty.guard.gate import pre_tool_use

    return pre_tool_use(event)
