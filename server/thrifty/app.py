"""The MCP server: builds an `MCPServer`, registers the tools, runs on stdio. Logs go to stderr; stdout is the wire."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer

from thrifty import __version__
from thrifty.instructions import INSTRUCTIONS
from thrifty.tools import grep_and_read, read_many, run_checks
from thrifty.tools._result import ServerConfig


def build_server(config: ServerConfig) -> MCPServer:
    server = MCPServer("thrifty", instructions=INSTRUCTIONS, version=__version__)
    for tool in (read_many, grep_and_read, run_checks):
        tool.register(server, config)
    return server


def serve(root: Path, structured: bool) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="thrifty: %(levelname)s %(message)s")
    build_server(ServerConfig(root=root, structured=structured)).run("stdio")
