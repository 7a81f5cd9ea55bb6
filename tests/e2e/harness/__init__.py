"""Real Claude Code end to end: a scripted Messages API, a plugin home, a `claude -p` runner (tests/e2e/README.md)."""

from .plugin_home import PLUGIN, PluginHome, copy_checkout
from .requests import ApiRequest, ToolResult
from .runner import E2E, ClaudeRun
from .script import Conversation, Reply, Script, ToolUse, Usage, reply, text, tool_use
from .scripted_api import Answer, ScriptedApi

MCP_PREFIX = "mcp__plugin_thrifty_thrifty__"
READ_MANY = MCP_PREFIX + "read_many"
GREP_AND_READ = MCP_PREFIX + "grep_and_read"
RUN_CHECKS = MCP_PREFIX + "run_checks"
THRIFTY_TOOLS = (READ_MANY, GREP_AND_READ, RUN_CHECKS)


def select(tool: str) -> str:
    """The ToolSearch query that loads one deferred tool's schema."""
    return f"select:{tool}"


__all__ = [
    "E2E", "GREP_AND_READ", "MCP_PREFIX", "PLUGIN", "READ_MANY", "RUN_CHECKS", "THRIFTY_TOOLS", "Answer", "ApiRequest",
    "ClaudeRun", "Conversation", "PluginHome", "Reply", "Script", "ScriptedApi", "ToolResult", "ToolUse", "Usage",
    "copy_checkout", "reply", "select", "text", "tool_use",
]
