"""MCP glue for `read_many`: many files, line ranges and definitions in one call, trimmed to a token budget."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError as McpToolError
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import Field

from thrifty.errors import ToolError
from thrifty.read.read_many import read_many
from thrifty.textout import DEFAULT_MAX_TOKENS, MAX_MAX_TOKENS, MIN_MAX_TOKENS
from thrifty.tools._result import ServerConfig, tool_result

DESCRIPTION = (
    "Read many files, ranges (path:10-80) and definitions (path#Class.method) in one call as numbered lines "
    "within max_tokens; a big file comes as an outline. Prefer it to several Reads."
)


def register(server: MCPServer, config: ServerConfig) -> None:
    async def read_many_tool(
        files: Annotated[list[str], Field(min_length=1)],
        max_tokens: Annotated[int, Field(ge=MIN_MAX_TOKENS, le=MAX_MAX_TOKENS)] = DEFAULT_MAX_TOKENS,
    ) -> CallToolResult:
        try:
            result = await anyio.to_thread.run_sync(lambda: read_many(config.root, files, max_tokens))
        except ToolError as exc:  # the SDK shows the model only its own ToolError's message
            raise McpToolError(str(exc)) from exc
        return tool_result(result.text, result, config)

    server.add_tool(
        read_many_tool,
        name="read_many",
        description=DESCRIPTION,
        annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
        structured_output=False,
    )
    _drop_titles(server, "read_many")


def _drop_titles(server: MCPServer, name: str) -> None:
    """Remove pydantic's titles, which only repeat the parameter names: all of tools/list must stay under 2,000 bytes.

    The SDK offers no public hook on the generated schema, hence the private tool manager.
    """
    tool = server._tool_manager.get_tool(name)  # noqa: SLF001
    if tool is None:
        return
    tool.parameters.pop("title", None)
    for schema in tool.parameters.get("properties", {}).values():
        schema.pop("title", None)
