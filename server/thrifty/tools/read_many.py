"""MCP glue for `read_many` (placeholder until the tool lands)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from thrifty.tools._result import ServerConfig


def register(server: MCPServer, config: ServerConfig) -> None:
    """Not built yet: registers nothing."""
