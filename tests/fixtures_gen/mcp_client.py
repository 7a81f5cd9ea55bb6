"""The real MCP client on an in-memory connection to thrifty's server, for tool tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, TextContent, Tool

from thrifty.app import ServerConfig, build_server

BOUND_S = 20.0


async def call_tool(root: Path, name: str, arguments: dict[str, Any], *, structured: bool = False,
                    bound_s: float = BOUND_S, **client_options: Any) -> CallToolResult:
    """One call of tool `name` on a server rooted at `root`, within `bound_s` seconds."""
    with anyio.fail_after(bound_s):
        async with Client(build_server(ServerConfig(root=root, structured=structured))) as client:
            return await client.call_tool(name, arguments, **client_options)


async def listed_tools(root: Path) -> dict[str, Tool]:
    """The server's tools/list, by name."""
    with anyio.fail_after(BOUND_S):
        async with Client(build_server(ServerConfig(root=root))) as client:
            return {tool.name: tool for tool in (await client.list_tools()).tools}


def text_of(result: CallToolResult) -> str:
    """The text of a tool result (thrifty's tools answer with one text block)."""
    block = result.content[0]
    assert isinstance(block, TextContent), f"expected a text block, got {type(block).__name__}"
    return block.text
