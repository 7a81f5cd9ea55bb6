"""The facts of one tool call, as the async PostToolUse hook sees them, for the savings and waste report.

Recorded for Read, Grep, the file-changing tools, thrifty's own tools and Bash commands that run a check (see
`thrifty.checks.commands`):
who called (session, agent), what (a path, whether a Read had offset/limit, the file's size and lines, the check)
and how much came back (`result_chars`: for a Read, its text in `cat -n` form). Nothing else is kept: no content.
Standard library only.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from typing import Any

THRIFTY_TOOL_PREFIXES = ("mcp__plugin_thrifty_thrifty__", "mcp__thrifty__")
FILE_CHANGING_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit"})


class ToolFact:
    __slots__ = ("kind", "path", "rel_path", "ranged", "total_lines", "file_bytes", "result_chars", "check_name",
                 "pattern")

    def __init__(self, kind: str, path: str | None = None, rel_path: str | None = None, ranged: bool = False,
                 total_lines: int | None = None, file_bytes: int | None = None, result_chars: int = 0,
                 check_name: str | None = None, pattern: str | None = None) -> None:
        self.kind, self.path, self.rel_path, self.ranged = kind, path, rel_path, ranged
        self.total_lines, self.file_bytes, self.result_chars, self.check_name = (
            total_lines, file_bytes, result_chars, check_name)
        self.pattern = pattern


def relative(path: str, project_dir: str) -> str:
    """`path` relative to the project when inside it (how thrifty's tools take paths), else as given."""
    if project_dir:
        prefix = project_dir.rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


def fact_of(event: Mapping[str, Any], project_dir: str) -> ToolFact | None:
    """The facts worth keeping about this call, or None for a tool the report does not look at."""
    tool_name = str(event.get("tool_name") or "")
    tool_input = event.get("tool_input")
    tool_input = tool_input if isinstance(tool_input, dict) else {}
    response = event.get("tool_response")
    if tool_name == "Read":
        return _read_fact(tool_input, response, project_dir)
    if tool_name == "Grep":
        path = tool_input.get("path")
        path = path if isinstance(path, str) and path else project_dir
        pattern = tool_input.get("pattern")
        return ToolFact("grep", path, relative(path, project_dir) or ".", result_chars=_grep_chars(response),
                        pattern=pattern if isinstance(pattern, str) else None)
    if tool_name == "Bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            return None
        from thrifty.checks.commands import check_for_command

        check = check_for_command(command, project_dir)
        if check is None:
            return None
        return ToolFact("check", result_chars=_bash_chars(response), check_name=check)
    if tool_name in FILE_CHANGING_TOOLS:
        path = tool_input.get("file_path") or tool_input.get("notebook_path")
        return ToolFact("edit", path, relative(path, project_dir)) if isinstance(path, str) and path else None
    if tool_name.startswith(THRIFTY_TOOL_PREFIXES):
        return ToolFact("thrifty", result_chars=_text_chars(response))
    return None


def _read_fact(tool_input: dict[str, Any], response: object, project_dir: str) -> ToolFact | None:
    path = tool_input.get("file_path")
    if not isinstance(path, str) or not path:
        return None
    ranged = tool_input.get("offset") is not None or tool_input.get("limit") is not None
    file_info = response.get("file") if isinstance(response, dict) else None
    total_lines = chars = None
    if isinstance(file_info, dict):
        content, start = file_info.get("content"), file_info.get("startLine")
        total = file_info.get("totalLines")
        total_lines = total if isinstance(total, int) else None
        if isinstance(content, str):
            first = start if isinstance(start, int) else 1
            rows = content.split("\n")
            if content.endswith("\n"):
                rows.pop()
            chars = sum(len(str(first + i)) + len(row) + 2 for i, row in enumerate(rows))  # N<TAB>line<LF>
    try:
        size: int | None = os.stat(path).st_size
    except OSError:
        size = None
    return ToolFact("read", path, relative(path, project_dir), ranged, total_lines, size,
                    chars if chars is not None else _text_chars(response))


def _grep_chars(response: object) -> int:
    if isinstance(response, dict):
        content = response.get("content")
        if isinstance(content, str) and content:
            return len(content)
        names = response.get("filenames")
        if isinstance(names, list):
            return sum(len(str(name)) + 1 for name in names)
    return _text_chars(response)


def _bash_chars(response: object) -> int:
    if isinstance(response, dict):
        return sum(len(v) for k, v in response.items() if k in ("stdout", "stderr") and isinstance(v, str))
    return _text_chars(response)


def _text_chars(response: object) -> int:
    """Characters of text in a tool result of any shape (a string, MCP content blocks, nested dicts)."""
    if isinstance(response, str):
        return len(response)
    if isinstance(response, list):
        return sum(_text_chars(item) for item in response)
    if isinstance(response, dict):
        text = response.get("text")
        if isinstance(text, str):
            return len(text)
        return sum(_text_chars(value) for value in response.values() if isinstance(value, (str, list, dict)))
    return 0


PRE_RECORDED = frozenset({"Read", "Grep", *FILE_CHANGING_TOOLS})  # cheap to know before the call runs


def record(conn: sqlite3.Connection, session_id: str, agent_id: str, tool_use_id: str, tool_name: str,
           fact: ToolFact, *, before: bool = False) -> None:
    """Store the call's facts. PreToolUse (`before`) stores what the input tells (a path, a range, the file's size)
    so a call is known even when its async PostToolUse is cut short (a `claude -p` run ending); PostToolUse then
    adds what the result tells."""
    on_conflict = "NOTHING" if before else (
        "UPDATE SET total_lines = excluded.total_lines, file_bytes = excluded.file_bytes, "
        "result_chars = excluded.result_chars, check_name = excluded.check_name, pattern = excluded.pattern")
    conn.execute(
        f"""INSERT INTO tool_events (tool_use_id, session_id, agent_id, tool_name, kind, path, rel_path,
               ranged, total_lines, file_bytes, result_chars, check_name, pattern)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (tool_use_id) DO {on_conflict}""",
        (tool_use_id, session_id, agent_id, tool_name, fact.kind, fact.path, fact.rel_path, int(fact.ranged),
         fact.total_lines, fact.file_bytes, fact.result_chars, fact.check_name, fact.pattern),
    )
