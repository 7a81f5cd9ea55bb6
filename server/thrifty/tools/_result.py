"""What every tool shares: registration without schema noise, error translation, and the two-channel result."""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError as McpToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from thrifty.errors import ToolError


class ToolConfig(Protocol):
    """What a tool needs of the server's configuration (`thrifty.app.ServerConfig`)."""

    @property
    def root(self) -> Path: ...

    @property
    def structured(self) -> bool: ...


def tool_result(text: str, model: BaseModel, config: ToolConfig) -> CallToolResult:
    structured = model.model_dump(mode="json") if config.structured else None
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


@contextmanager
def model_fixable_errors() -> Generator[None]:
    """Let the model read our ToolError's message: the SDK shows only its own ToolError's text, hiding the rest."""
    try:
        yield
    except ToolError as exc:
        raise McpToolError(str(exc)) from exc


def register_tool(
    server: MCPServer, fn: Callable[..., Any], *, name: str, description: str, read_only: bool
) -> None:
    """Add `fn` as a tool with no output schema and no titles: all of tools/list must stay under 1,500 bytes.

    `readOnlyHint` is the one annotation sent (on the tools that only read); each other hint would cost bytes in
    every tools/list for no change in what the client does with the tool.
    """
    server.add_tool(
        fn,
        name=name,
        description=description,
        annotations=ToolAnnotations(read_only_hint=True) if read_only else None,
        structured_output=False,
    )
    # pydantic's titles only repeat the parameter names. The SDK has no public hook on the generated schema, hence
    # its private tool manager.
    tool = server._tool_manager.get_tool(name)  # noqa: SLF001  # pyright: ignore[reportPrivateUsage]
    if tool is not None:
        tool.parameters.pop("title", None)
        for schema in tool.parameters.get("properties", {}).values():
            schema.pop("title", None)
            if "default" in schema and schema["default"] in ([], False, 0):
                del schema["default"]  # an optional parameter left out means empty, false or zero anyway
