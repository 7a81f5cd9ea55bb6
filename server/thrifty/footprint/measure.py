"""What every session carries because thrifty is installed (and, on request, other MCP servers), item by item:
`deferred` with Claude Code's default tool search (tool names up front), `full` with every schema loaded.
Tokens are estimated with textout's chars/3 rule."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Literal

from mcp import Client
from mcp.types import Tool
from pydantic import BaseModel, computed_field

from thrifty.footprint import hook_probe, plugin_files
from thrifty.footprint.mcp_servers import ServerLook
from thrifty.textout import CHARS_PER_TOKEN

Kind = Literal["tool", "instructions", "skill", "agent", "command", "hook"]
PLUGIN_SOURCE = "thrifty"
SERVER_KEY = "thrifty"  # the server's key in the plugin's .mcp.json
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _tokens(chars: int) -> int:
    return -(-chars // CHARS_PER_TOKEN)  # textout.estimate_tokens on a text of this many characters


class Item(BaseModel):
    source: str  # "thrifty" for this plugin, else "mcp:<server name>"
    kind: Kind
    name: str
    deferred_chars: int
    full_chars: int
    wire_bytes: int | None = None  # tools: the tool's entry in the tools/list result
    note: str = ""

    @computed_field
    @property
    def deferred_tokens(self) -> int:
        return _tokens(self.deferred_chars)

    @computed_field
    @property
    def full_tokens(self) -> int:
        return _tokens(self.full_chars)


class Problem(BaseModel):
    source: str
    message: str


class Totals(BaseModel):
    deferred_tokens: int
    full_tokens: int
    deferred_chars: int
    full_chars: int


class Footprint(BaseModel):
    items: list[Item]
    problems: list[Problem] = []
    tools_list_bytes: int  # thrifty's whole tools/list result on the wire

    @computed_field
    @property
    def totals(self) -> dict[str, Totals]:
        """Per source, plus "all"."""
        groups: dict[str, list[Item]] = {}
        for item in self.items:
            groups.setdefault(item.source, []).append(item)
        groups["all"] = list(self.items)
        return {name: _sum(items) for name, items in groups.items()}


def _sum(items: list[Item]) -> Totals:
    return Totals(
        deferred_tokens=sum(i.deferred_tokens for i in items), full_tokens=sum(i.full_tokens for i in items),
        deferred_chars=sum(i.deferred_chars for i in items), full_chars=sum(i.full_chars for i in items),
    )


def tool_name(server: str, tool: str, plugin: str | None = None) -> str:
    """The name the model calls: mcp__<server>__<tool>, or mcp__plugin_<plugin>_<server>__<tool> for a plugin."""
    prefix = f"plugin_{plugin}_{server}" if plugin else server
    return f"mcp__{_UNSAFE.sub('_', prefix)}__{_UNSAFE.sub('_', tool)}"


# What Claude Code 2.1.330 puts before the first server's instructions, once for all servers that have some.
INSTRUCTIONS_HEADER = ("# MCP Server Instructions\n\nThe following MCP servers have provided instructions for how "
                       "to use their tools and resources:\n\n")


def instructions_header(items: list[Item]) -> list[Item]:
    """The header as an item of the first source with instructions (the one whose instructions bring it in)."""
    first = next((item for item in items if item.kind == "instructions"), None)
    if first is None:
        return []
    chars = len(INSTRUCTIONS_HEADER)
    return [Item(source=first.source, kind="instructions", name="(header)", deferred_chars=chars, full_chars=chars,
                 note="Claude Code's header, once for every server with instructions")]


def tool_items(
    source: str, server: str, tools: list[Tool], instructions: str | None, plugin: str | None = None
) -> list[Item]:
    items: list[Item] = []
    if instructions:
        text = f"## {f'plugin:{plugin}:{server}' if plugin else server}\n{instructions}\n\n"
        items.append(Item(source=source, kind="instructions", name=server, deferred_chars=len(text),
                          full_chars=len(text)))
    for tool in tools:
        name = tool_name(server, tool.name, plugin)
        # What the API receives for a loaded tool: its name, description and input schema.
        schema = json.dumps(
            {"name": name, "description": tool.description or "", "input_schema": tool.input_schema},
            separators=(",", ":"), ensure_ascii=False,
        )
        items.append(Item(
            source=source, kind="tool", name=name, full_chars=len(schema),
            # a tool the server marks `anthropic/alwaysLoad` is sent whole even with tool search on
            deferred_chars=len(schema) if (tool.meta or {}).get("anthropic/alwaysLoad") is True else len(name) + 1,
            wire_bytes=len(tool.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")),
        ))
    return items


def component_items(root: Path) -> list[Item]:
    items: list[Item] = []
    for component in plugin_files.components(root):
        line = component.listing_line()
        note = "" if component.listed else "user-invoked only: not listed to the model"
        chars = len(line) + 1 if line else 0
        items.append(Item(source=PLUGIN_SOURCE, kind=component.kind, name=component.name, deferred_chars=chars,
                          full_chars=chars, note=note))
    return items


def hook_items(root: Path, project: Path, data: Path) -> list[Item]:
    """Run every hook once; SessionStart sees the real data dir (its venv check), the others a scratch one."""
    items: list[Item] = []
    with tempfile.TemporaryDirectory(prefix="thrifty-footprint-") as scratch_name:
        scratch = Path(scratch_name)
        for event, handler in plugin_files.hook_commands(root):
            hook_data = data if event == "SessionStart" else scratch / "data"
            run = hook_probe.run_hook(handler, event, root=root, project=project, data=hook_data, scratch=scratch)
            chars = len(run.context)
            items.append(Item(source=PLUGIN_SOURCE, kind="hook", name=event, deferred_chars=chars, full_chars=chars,
                              note=run.note))
    return items


async def server_items(root: Path, project: Path) -> tuple[list[Item], int]:
    """thrifty's own server, built in-process: its instructions and tools, and the tools/list size on the wire."""
    from thrifty.app import ServerConfig, build_server

    server = build_server(ServerConfig(root=project, structured=False))
    async with Client(server, mode="legacy") as client:
        listing = await client.list_tools()
        instructions = client.instructions
    # The result as it goes on the wire, {"tools": [...]}: the SDK's result model also carries fields of newer
    # protocol versions (ttlMs, cacheScope, resultType) that the server does not send to Claude Code.
    tools_json = ",".join(tool.model_dump_json(by_alias=True, exclude_none=True) for tool in listing.tools)
    wire = len(f'{{"tools":[{tools_json}]}}'.encode())
    plugin = plugin_files.plugin_name(root)
    return tool_items(PLUGIN_SOURCE, SERVER_KEY, listing.tools, instructions, plugin=plugin), wire


def other_items(looks: list[ServerLook]) -> tuple[list[Item], list[Problem]]:
    items: list[Item] = []
    problems: list[Problem] = []
    for look in looks:
        source = f"mcp:{look.entry.name}"
        if look.problem:
            where = f"{look.entry.scope} scope, {look.entry.source}"
            problems.append(Problem(source=source, message=f"{where}: {look.problem}"))
            continue
        items.extend(tool_items(source, look.entry.name, look.tools, look.instructions))
    return items, problems


async def measure(root: Path, project: Path, data: Path, *, hooks: bool = True,
                  others: list[ServerLook] | None = None) -> Footprint:
    tools, wire = await server_items(root, project)
    items = [*tools, *component_items(root)]
    if hooks:
        items.extend(hook_items(root, project, data))
    extra, problems = other_items(others or [])
    everything = [*items, *extra]
    return Footprint(items=[*instructions_header(everything), *everything], problems=problems, tools_list_bytes=wire)
