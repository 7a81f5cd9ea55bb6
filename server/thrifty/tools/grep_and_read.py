"""MCP glue for `grep_and_read`: several regexes in one ripgrep pass, each match shown with its code around it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult
from pydantic import Field

from thrifty.textout import DEFAULT_MAX_TOKENS
from thrifty.tools._result import ToolConfig, model_fixable_errors, register_tool, tool_result

if TYPE_CHECKING:
    from thrifty.search.engine import SearchOutcome

DESCRIPTION = (
    "Rust regexes in one ripgrep pass: each match with numbered lines around it, or its function/class "
    "(scope=symbol). Use instead of Grep + Read."
)


def register(server: MCPServer, config: ToolConfig) -> None:
    async def grep_and_read_tool(
        ctx: Context,
        patterns: list[str],
        paths: Annotated[list[str], Field(description="files/dirs; globs (*.py, !tests/**) filter")] = ["."],  # noqa: B006 - never mutated
        # Bounds are checked by the engine (negative context/offset, max_tokens under MIN_MAX_TOKENS) rather than
        # in the schema: all of tools/list must stay under 2,000 bytes. The "omitted" note names the offset to pass.
        context: int = 3,
        scope: Literal["lines", "symbol"] = "lines",
        offset: int = 0,
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> CallToolResult:
        from thrifty.search.engine import SearchRequest, grep_and_read  # first use only: keeps the start fast

        def search() -> SearchOutcome:  # file system and rg work: off the event loop
            request = SearchRequest.from_paths_and_globs(
                config.root,
                patterns=patterns, paths=paths, context=context, scope=scope, offset=offset, max_tokens=max_tokens,
            )
            outcome = grep_and_read(config.root, request)
            measure(outcome)
            return outcome

        def measure(outcome: SearchOutcome) -> None:
            from thrifty.savings import native

            cost = native.NativeCost()
            cost.add_listing(f.path for f in outcome.result.files)
            for shown in outcome.result.files:
                cost.add_read(config.root, shown.path, shown.total_lines)
            native.record(native.tool_use_id_of(ctx.request_context.meta), "grep_and_read", outcome.text, cost)

        with model_fixable_errors():
            outcome = await anyio.to_thread.run_sync(search)
        return tool_result(outcome.text, outcome.result, config)

    register_tool(server, grep_and_read_tool, name="grep_and_read", description=DESCRIPTION, read_only=True)

