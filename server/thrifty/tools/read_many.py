"""MCP glue for `read_many`: many files, line ranges and definitions in one call, trimmed to a token budget."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult

from thrifty.textout import DEFAULT_MAX_TOKENS
from thrifty.tools._result import ToolConfig, model_fixable_errors, register_tool, tool_result

if TYPE_CHECKING:
    from thrifty.read.read_many import ReadManyResult

DESCRIPTION = (
    "Files, ranges (path:10-80) and definitions (path#Class.method) in one call as numbered lines; big files "
    "as outlines. Use instead of several Reads."
)


def register(server: MCPServer, config: ToolConfig) -> None:
    async def read_many_tool(
        ctx: Context,
        # Bounds are checked by the core, whose messages say what to do; schema constraints would answer with
        # pydantic's validation text instead (and grow tools/list).
        files: list[str],
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> CallToolResult:
        from thrifty.read.read_many import read_many  # first use only: keeps the server's start near the SDK's
        from thrifty.savings import native

        def read_and_measure() -> ReadManyResult:
            result = read_many(config.root, files, max_tokens)
            cost = native.NativeCost()
            for item in result.items:
                if item.path is not None and item.status in ("ok", "partial", "outline"):
                    cost.add_read(config.root, item.path, item.total_lines)
            native.record(native.tool_use_id_of(ctx.request_context.meta), "read_many", result.text, cost)
            return result

        with model_fixable_errors():
            result = await anyio.to_thread.run_sync(read_and_measure)
        return tool_result(result.text, result, config)

    register_tool(server, read_many_tool, name="read_many", description=DESCRIPTION, read_only=True)

