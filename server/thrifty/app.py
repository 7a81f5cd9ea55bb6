"""The MCP server: builds an `MCPServer`, registers the tools, runs on stdio. Logs go to stderr; stdout is the wire."""

from __future__ import annotations

import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from mcp.server.mcpserver import MCPServer

from thrifty import __version__
from thrifty.instructions import INSTRUCTIONS
from thrifty.tools import grep_and_read, read_many, run_checks


@dataclass(frozen=True)
class ServerConfig:
    root: Path
    # Claude Code forwards structuredContent to the model *instead of* the text when both are present
    # (anthropics/claude-code#55677, #79944), so the plugin turns it off to keep the model on the compact text.
    structured: bool = True


# Methods the SDK serves by default that thrifty has nothing behind. A server that serves resources/list gets
# three resource tools (ListMcpResourcesTool, ReadMcpResourceTool, ReadMcpResourceDirTool) added by Claude Code to
# every session's deferred-tool list; prompts would be listed as slash commands.
UNUSED_METHODS = ("resources/list", "resources/read", "resources/templates/list", "prompts/list", "prompts/get")


def build_server(config: ServerConfig) -> MCPServer:
    server = MCPServer("thrifty", instructions=INSTRUCTIONS, version=__version__)
    for tool in (read_many, grep_and_read, run_checks):
        tool.register(server, config)
    _serve_tools_only(server)
    return server


def _serve_tools_only(server: MCPServer) -> None:
    """Stop serving UNUSED_METHODS, so the handshake advertises tools alone (capabilities follow the handlers).

    MCPServer registers a handler for each of them and has no public way to leave one out. Should an SDK release
    move these attributes, the server still runs, advertising the unused methods (a test says so)."""
    handlers = getattr(getattr(server, "_lowlevel_server", None), "_request_handlers", None)
    if not isinstance(handlers, dict):
        logging.getLogger(__name__).warning("this MCP SDK hides its request handlers: resources/list stays served")
        return
    for method in UNUSED_METHODS:
        handlers.pop(method, None)


INTERRUPTED_STATUS = 130  # as a shell reports a process that SIGINT ended


def serve(root: Path, structured: bool) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="thrifty: %(levelname)s %(message)s")
    signal.signal(signal.SIGINT, _stop_now)
    build_server(ServerConfig(root=root, structured=structured)).run("stdio")


def _stop_now(_signum: int, _frame: FrameType | None) -> None:
    """Exit at once on an interrupt, with one line on stderr.

    Python's KeyboardInterrupt unwinds the SDK's stdio tasks mid-relay; when the client closes stdin at the same
    moment they fail with BrokenResourceError inside exception groups and print pages of traceback. Nothing here
    needs unwinding: ledger writes are SQLite transactions, which a sudden exit leaves whole or undone.
    """
    logging.getLogger(__name__).info("stopped by SIGINT")
    sys.stderr.flush()
    os._exit(INTERRUPTED_STATUS)
