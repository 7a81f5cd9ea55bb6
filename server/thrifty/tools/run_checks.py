"""MCP glue for `run_checks`: validate, run the project's checks with progress notifications, render the text."""

from __future__ import annotations

import time

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError as McpToolError
from mcp.types import CallToolResult, ToolAnnotations

from thrifty.checks.render import render_report
from thrifty.checks.service import Progress, run_checks
from thrifty.errors import ToolError
from thrifty.textout import DEFAULT_MAX_TOKENS, MAX_MAX_TOKENS, MIN_MAX_TOKENS
from thrifty.tools._result import ServerConfig, tool_result

HEARTBEAT_S = 5.0  # progress while long checks run, so clients see it is alive

DESCRIPTION = (
    "Run the project's configured tests, linters and type checkers in parallel instead of Bash: every failure "
    "named, first tracebacks, counts, log paths. checks: names (empty=all); paths or changed=true narrow them."
)


def register(server: MCPServer, config: ServerConfig) -> None:
    async def run_checks_tool(
        ctx: Context,
        checks: list[str] = [],  # noqa: B006 - the SDK copies defaults per call; [] reads best in the schema
        paths: list[str] = [],  # noqa: B006
        changed: bool = False,
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> CallToolResult:
        if not MIN_MAX_TOKENS <= max_tokens <= MAX_MAX_TOKENS:
            raise McpToolError(f"max_tokens must be between {MIN_MAX_TOKENS} and {MAX_MAX_TOKENS}; got {max_tokens}")
        progress = Progress()

        async def notify(p: Progress) -> None:
            await ctx.report_progress(p.done, p.total, _progress_message(p))

        refused: ToolError | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(_heartbeat, progress, notify)
            try:
                report = await run_checks(config.root, checks, paths, changed, progress, notify)
            except ToolError as exc:  # the SDK shows the model only its own ToolError's message
                refused = exc
            group.cancel_scope.cancel()
        if refused is not None:
            raise McpToolError(str(refused)) from refused
        return tool_result(render_report(report, max_tokens), report, config)

    server.add_tool(
        run_checks_tool, name="run_checks", description=DESCRIPTION, structured_output=False,
        annotations=ToolAnnotations(open_world_hint=False),
    )
    _drop_titles(server, "run_checks")


def _drop_titles(server: MCPServer, name: str) -> None:
    # pydantic's titles only repeat parameter names, and all tools/list must stay under 2,000 bytes. The SDK has no
    # public hook on the generated schema, hence its private tool manager.
    tool = server._tool_manager.get_tool(name)  # noqa: SLF001
    if tool is not None:
        tool.parameters.pop("title", None)
        for schema in tool.parameters.get("properties", {}).values():
            schema.pop("title", None)


async def _heartbeat(progress: Progress, notify: object) -> None:
    while True:
        await anyio.sleep(HEARTBEAT_S)
        if progress.started:
            await notify(progress)  # type: ignore[operator]


def _progress_message(progress: Progress) -> str:
    now = time.monotonic()
    running = ", ".join(f"{name} {now - t:.0f}s" for name, t in progress.started.items())
    parts = [f"{progress.done}/{progress.total} done"]
    if progress.last:
        parts.append(f"last: {progress.last}")
    if running:
        parts.append(f"running: {running}")
    return "; ".join(parts)
