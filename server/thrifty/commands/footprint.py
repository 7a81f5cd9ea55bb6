"""`thrifty footprint`: the context every session carries because of this plugin (and, with --all, other servers)."""

from __future__ import annotations

from pathlib import Path

import anyio
import click

from thrifty.errors import ToolError
from thrifty.footprint.measure import PLUGIN_SOURCE, Footprint, Item, measure
from thrifty.launch.environment import plugin_root
from thrifty.paths import data_dir, project_root


@click.command()
@click.option("--all", "include_others", is_flag=True,
              help="Also start the MCP servers in your Claude settings files and .mcp.json, and measure them.")
@click.option("--timeout", default=20.0, show_default=True, type=click.FloatRange(1, 300),
              help="Seconds each other server gets to start and list its tools (with --all).")
@click.option("--no-hooks", is_flag=True, help="Do not run the plugin's hooks to measure their output.")
@click.option("--project", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Project whose .mcp.json and local settings count (default: $CLAUDE_PROJECT_DIR, else cwd).")
@click.option("--plugin-root", "plugin_root_", hidden=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of a table.")
def footprint(include_others: bool, timeout: float, no_hooks: bool, project: Path | None, plugin_root_: Path | None,
              as_json: bool) -> None:
    """Measure what is resident in every session's context: tool names and schemas, server instructions,
    skill/agent/command listings and hook output, per item, with and without Claude Code's tool search."""
    root = (plugin_root_ or plugin_root()).resolve()
    where = (project or project_root()).resolve()
    try:
        result = anyio.run(_measure, root, where, not no_hooks, include_others, timeout)
    except (ToolError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        _print(result, others_asked=include_others)


async def _measure(root: Path, project: Path, hooks: bool, include_others: bool, timeout: float) -> Footprint:
    others = None
    if include_others:
        from thrifty.footprint.mcp_servers import configured_servers, look_all

        others = await look_all(configured_servers(project), project, timeout)
    return await measure(root, project, data_dir(), hooks=hooks, others=others)


def _rows(result: Footprint) -> list[tuple[str, str, str, int, int, str]]:
    """thrifty item by item; every other server folded into one row."""
    rows = [(i.source, i.kind, i.name, i.deferred_tokens, i.full_tokens, i.note)
            for i in result.items if i.source == PLUGIN_SOURCE]
    others: dict[str, list[Item]] = {}
    for item in result.items:
        if item.source != PLUGIN_SOURCE:
            others.setdefault(item.source, []).append(item)
    for source, items in others.items():
        tools = sum(1 for i in items if i.kind == "tool")
        total = result.totals[source]
        rows.append((source, "server", f"{tools} tools", total.deferred_tokens, total.full_tokens, ""))
    return rows


def _print(result: Footprint, others_asked: bool = False) -> None:
    from rich.console import Console, JustifyMethod
    from rich.table import Table

    table = Table(title="Resident context per session (estimated tokens, chars/3)")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("source", "left"), ("kind", "left"), ("item", "left"), ("tool search on", "right"),
        ("tool search off", "right"), ("note", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify, no_wrap=column == "item")
    for source, kind, name, deferred, full, note in _rows(result):
        table.add_row(source, kind, name, f"{deferred:,}", f"{full:,}", note)
    table.add_section()
    totals = result.totals
    for source, total in totals.items():
        if source != "all" and len(totals) == 2:
            continue  # only thrifty was measured: its total is the total
        label = "total" if source == "all" else f"{source} total"
        table.add_row(label, "", "", f"{total.deferred_tokens:,}", f"{total.full_tokens:,}", "")
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)  # piped (or run by an agent): don't wrap full tool names into three lines
    console.print(table)
    console.print(f"thrifty tools/list: {result.tools_list_bytes:,} bytes on the wire")
    for problem in result.problems:
        console.print(f"[yellow]{problem.source}: not measured: {problem.message}[/yellow]")
    if others_asked and len(result.totals) == 2 and not result.problems:
        console.print("No other MCP servers are configured in the Claude settings files or .mcp.json for this project.")
