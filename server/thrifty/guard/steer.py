"""Steering hints at the moment of waste, for PreToolUse; pure decisions plus one stat or read, standard library only.

Three patterns, each naming the thrifty call that replaces the native one:
- `whole_file_read`: a Read without offset/limit of a file above read_many's whole-file limits (400 lines or
  24 KB, past which read_many answers with an outline): nothing is said about small files.
- `single_reads_run`: an agent's third Read/Grep in a row (each is another request re-sending the conversation).
  The ring records calls, not turns, so parallel Reads in one turn count too here; the report counts turns.
- `noisy_check_output`: a Bash command running a check run_checks knows (see `thrifty.checks.commands`).
Quiet: a pattern is hinted at most once per agent in any `QUIET_CALLS` consecutive calls (the ring's `hint`
column). `steer = hint` adds the hint as additionalContext; `enforce` refuses the call with it as the reason.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from typing import Any

from thrifty.guard.enforce import POLICY_REFUSAL
from thrifty.savings.events import relative
from thrifty.savings.steer_limits import RUN_LENGTH, WHOLE_MAX_BYTES, WHOLE_MAX_LINES

QUIET_CALLS = 20  # "at most once per 10 calls", and once over any 20 calls
COUNT_LINES_MAX_BYTES = 8 * 1024 * 1024  # above this the hint gives the size only
TOOL_PREFIX = "mcp__plugin_thrifty_thrifty__"
READ_TOOLS = frozenset({"Read", "Grep"})


class Hint:
    __slots__ = ("pattern", "text")

    def __init__(self, pattern: str, text: str) -> None:
        self.pattern, self.text = pattern, text


def recently_hinted(recent: Sequence[tuple[str, str | None]], pattern: str) -> bool:
    """`recent`: (tool name, hint) of the agent's previous calls, newest first."""
    return any(hint == pattern for _, hint in recent[:QUIET_CALLS - 1])


def hint_for(tool_name: str, tool_input: Any, project_dir: str, recent: Sequence[tuple[str, str | None]]
             ) -> Hint | None:
    """The hint for this call, or None (small file, no pattern, or the pattern was hinted in the last calls)."""
    tool_input = tool_input if isinstance(tool_input, dict) else {}
    candidates: list[Hint | None] = []
    if tool_name == "Read":
        candidates.append(_whole_read(tool_input, project_dir))
    if tool_name in READ_TOOLS and len(recent) >= RUN_LENGTH - 1 and all(
            name in READ_TOOLS for name, _ in recent[:RUN_LENGTH - 1]):
        candidates.append(_run(tool_name, tool_input, project_dir))
    if tool_name == "Bash" and isinstance(tool_input.get("command"), str):
        candidates.append(_check(tool_input["command"], project_dir))
    for hint in candidates:
        if hint is not None and not recently_hinted(recent, hint.pattern):
            return hint
    return None


def _whole_read(tool_input: Mapping[str, Any], project_dir: str) -> Hint | None:
    path = tool_input.get("file_path")
    if not isinstance(path, str) or tool_input.get("offset") is not None or tool_input.get("limit") is not None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None  # a FIFO or device (/dev/zero): reading it to count lines would hang the hook
    size = info.st_size
    lines = _count_lines(path) if size <= COUNT_LINES_MAX_BYTES else None
    if size <= WHOLE_MAX_BYTES and (lines is None or lines <= WHOLE_MAX_LINES):
        return None
    shown = relative(path, project_dir)
    extent = f"{lines:,} lines, {size / 1024:,.0f} KB" if lines is not None else f"{size / 1024:,.0f} KB"
    return Hint("whole_file_read", (
        f"thrifty: {shown} is {extent}; a whole Read puts all of it in the context, re-sent on every later turn. "
        f'Take only what you need: {TOOL_PREFIX}read_many(files=["{shown}"]) gives its outline, then '
        f'read_many(files=["{shown}#Name", "{shown}:START-END"]). Read with offset/limit is fine before an Edit.'))


def _run(tool_name: str, tool_input: Mapping[str, Any], project_dir: str) -> Hint:
    if tool_name == "Grep":
        pattern = tool_input.get("pattern")
        call = f'{TOOL_PREFIX}grep_and_read(patterns=["{pattern}", ...])'
    else:
        path = tool_input.get("file_path")
        shown = relative(path, project_dir) if isinstance(path, str) else "path"
        call = f'{TOOL_PREFIX}read_many(files=["{shown}", ...])'
    return Hint("single_reads_run", (
        f"thrifty: this is the {RUN_LENGTH}rd Read/Grep in a row, one per request, and each request re-sends the "
        f"whole conversation. Ask for everything you still need in one call: {call} (all the files, ranges and "
        "definitions together), or grep_and_read with all your patterns."))


def _check(command: str, project_dir: str) -> Hint | None:
    from thrifty.checks.commands import check_for_command

    name = check_for_command(command, project_dir)
    if name is None:
        return None
    return Hint("noisy_check_output", (
        f'thrifty: this runs the "{name}" check; {TOOL_PREFIX}run_checks(checks=["{name}"]) runs it and returns '
        "only the failures, counts and the log path instead of the whole output."))


def _count_lines(path: str) -> int | None:
    from thrifty.regular_file import read_regular

    try:
        data = read_regular(path)  # swapped for a FIFO since the stat: raises rather than blocks
    except OSError:
        return None
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def add_to_reply(reply: dict[str, Any] | None, hint: Hint, enforce: bool) -> dict[str, Any]:
    """The PreToolUse reply with the hint added as additionalContext, or (enforce) as a refusal."""
    out = dict(reply or {})
    specific = dict(out.get("hookSpecificOutput") or {"hookEventName": "PreToolUse"})
    if enforce:
        reason = specific.get("permissionDecisionReason")
        specific["permissionDecision"] = "deny"
        refusal = f"{POLICY_REFUSAL.format(rule='steering (steer = enforce)')}: {hint.text}"
        specific["permissionDecisionReason"] = f"{reason} {refusal}" if reason else refusal
    else:
        context = specific.get("additionalContext")
        specific["additionalContext"] = f"{context} {hint.text}" if context else hint.text
    out["hookSpecificOutput"] = specific
    return out
