"""MCP glue for `run_checks`: validate, run the project's checks with progress notifications, render the text."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult

from thrifty.errors import ToolError
from thrifty.textout import DEFAULT_MAX_TOKENS, check_max_tokens
from thrifty.tools._result import ToolConfig, model_fixable_errors, register_tool, tool_result

if TYPE_CHECKING:
    from thrifty.checks.model import ChecksReport
    from thrifty.checks.service import Progress

HEARTBEAT_S = 5.0  # progress while long checks run, so clients see it is alive

DESCRIPTION = (
    "The project's configured tests, linters, type checkers in parallel, instead of Bash: failures named, first "
    "tracebacks, log paths. checks=[] runs all; paths/changed=true narrow."
)


def register(server: MCPServer, config: ToolConfig) -> None:
    async def run_checks_tool(
        ctx: Context,
        checks: list[str] = [],  # noqa: B006 - the SDK copies defaults per call; [] reads best in the schema
        paths: list[str] = [],  # noqa: B006
        changed: bool = False,
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> CallToolResult:
        with model_fixable_errors():
            check_max_tokens(max_tokens)
        # First use only: the checks core (GitPython above all) would add a tenth to every server start.
        from thrifty.checks.render import render_report
        from thrifty.checks.service import Progress, run_checks

        progress = Progress()

        async def notify(p: Progress) -> None:
            await ctx.report_progress(p.done, p.total, _progress_message(p))

        refused: ToolError | None = None
        report: ChecksReport | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(_heartbeat, progress, notify)
            try:
                report = await run_checks(config.root, checks, paths, changed, progress, notify)
            except ToolError as exc:  # raised outside the task group, which would wrap it in an ExceptionGroup
                refused = exc
            finally:
                group.cancel_scope.cancel()
        if refused is not None:
            with model_fixable_errors():
                raise refused
        assert report is not None  # run_checks returned (else it was refused)
        text = render_report(report, max_tokens)
        _measure(ctx, report, text)
        return tool_result(text, report, config)

    register_tool(server, run_checks_tool, name="run_checks", description=DESCRIPTION, read_only=False)


def _measure(ctx: Context, report: ChecksReport, text: str) -> None:
    from thrifty.savings import native

    cost = native.NativeCost()
    for check in report.checks:
        if check.status != "skipped":
            cost.add_check_run(check.output_bytes)
    native.record(native.tool_use_id_of(ctx.request_context.meta), "run_checks", text, cost)


async def _heartbeat(progress: Progress, notify: Callable[[Progress], Awaitable[None]]) -> None:
    while True:
        await anyio.sleep(HEARTBEAT_S)
        if progress.started:
            await notify(progress)


def _progress_message(progress: Progress) -> str:
    now = time.monotonic()
    running = ", ".join(f"{name} {now - t:.0f}s" for name, t in progress.started.items())
    parts = [f"{progress.done}/{progress.total} done"]
    if progress.last:
        parts.append(f"last: {progress.last}")
    if running:
        parts.append(f"running: {running}")
    return "; ".join(parts)
