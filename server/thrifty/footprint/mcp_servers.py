"""The user's own MCP servers as Claude Code finds them, local > project (`.mcp.json`) > user (`~/.claude.json`),
with `${VAR}` / `${VAR:-default}` expanded, and a bounded look at each: start it, list its tools, stop it."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import Tool
from pydantic import BaseModel

from thrifty.paths import claude_config_dir

Scope = Literal["local", "project", "user"]
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ServerEntry(BaseModel):
    name: str
    scope: Scope
    source: str  # the settings file it came from
    config: dict[str, Any]
    disabled: bool = False

    @property
    def transport(self) -> str:
        return str(self.config.get("type") or ("stdio" if "command" in self.config else "http"))


class ServerLook(BaseModel):
    """What a server showed when started: its instructions and tools, or why it could not be measured."""

    entry: ServerEntry
    instructions: str | None = None
    tools: list[Tool] = []
    problem: str | None = None


def claude_json_path(env: Mapping[str, str] = os.environ) -> Path:
    """Claude Code keeps `.claude.json` inside `$CLAUDE_CONFIG_DIR` when that is set, else in the home directory."""
    return claude_config_dir(env) / ".claude.json" if env.get("CLAUDE_CONFIG_DIR") else Path.home() / ".claude.json"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not readable as JSON ({exc})") from exc
    return data if isinstance(data, dict) else {}


def configured_servers(project: Path, env: Mapping[str, str] = os.environ) -> list[ServerEntry]:
    """Every server Claude Code would load for `project`, one per name (the highest-precedence scope wins)."""
    claude_json = claude_json_path(env)
    user_config = _read_json(claude_json)
    project_config = (user_config.get("projects") or {}).get(str(project)) or {}
    mcp_json = project / ".mcp.json"
    settings = [claude_config_dir(env) / "settings.json", project / ".claude" / "settings.json",
                project / ".claude" / "settings.local.json"]
    disabled_mcpjson = {name for path in settings for name in _read_json(path).get("disabledMcpjsonServers") or []}
    disabled_local = set(project_config.get("disabledMcpServers") or [])
    found: dict[str, ServerEntry] = {}
    sources: list[tuple[Scope, Path, dict[str, Any]]] = [
        ("local", claude_json, project_config.get("mcpServers") or {}),
        ("project", mcp_json, _servers_of(_read_json(mcp_json))),
        ("user", claude_json, user_config.get("mcpServers") or {}),
    ]
    for scope, path, servers in sources:
        for name, config in servers.items():
            if name in found or not isinstance(config, dict):
                continue
            disabled = name in disabled_local or (scope == "project" and name in disabled_mcpjson)
            found[name] = ServerEntry(name=name, scope=scope, source=str(path), config=config, disabled=disabled)
    return list(found.values())


def _servers_of(mcp_json: dict[str, Any]) -> dict[str, Any]:
    # The `mcpServers` wrapper is optional in .mcp.json: servers may sit at the top level.
    servers = mcp_json.get("mcpServers", mcp_json)
    return servers if isinstance(servers, dict) else {}


def expand(text: str, env: Mapping[str, str], missing: list[str]) -> str:
    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        missing.append(name)
        return ""

    return _VAR.sub(one, text)


def stdio_parameters(entry: ServerEntry, project: Path, env: Mapping[str, str] = os.environ) -> StdioServerParameters:
    """The process Claude Code would start for `entry`; raises ValueError naming unset variables."""
    missing: list[str] = []
    config = entry.config
    command = expand(str(config.get("command", "")), env, missing)
    args = [expand(str(arg), env, missing) for arg in config.get("args") or []]
    extra = {str(k): expand(str(v), env, missing) for k, v in (config.get("env") or {}).items()}
    if missing:
        names = ", ".join(sorted(set(missing)))
        raise ValueError(f"needs environment variable(s) {names}, which are not set here")
    if not command:
        raise ValueError("has no command")
    full_env = dict(env) | extra | {"CLAUDE_PROJECT_DIR": str(project)}
    return StdioServerParameters(command=command, args=args, env=full_env, cwd=str(project))


async def look(entry: ServerEntry, project: Path, timeout: float) -> ServerLook:
    """Start `entry` (stdio only), list its tools and stop it, all within `timeout` seconds."""
    if entry.disabled:
        return ServerLook(entry=entry, problem="disabled in settings: not started")
    if entry.transport != "stdio":
        return ServerLook(entry=entry, problem=f"{entry.transport} server: remote servers are not contacted")
    try:
        params = stdio_parameters(entry, project)
    except ValueError as exc:
        return ServerLook(entry=entry, problem=str(exc))
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
        try:
            with anyio.fail_after(timeout):
                # The handshake every server speaks; the newer discovery probe can stall older servers.
                async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
                    tools = (await client.list_tools()).tools
                    return ServerLook(entry=entry, instructions=client.instructions, tools=tools)
        except TimeoutError:
            return ServerLook(entry=entry, problem=f"did not answer within {timeout:g} s{_tail(errlog)}")
        except Exception as exc:  # noqa: BLE001 - any failure of a foreign server becomes a message, never a crash
            return ServerLook(entry=entry, problem=f"failed to start: {_describe(exc)}{_tail(errlog)}")


def _describe(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _tail(errlog: Any) -> str:
    errlog.seek(0)
    lines = [line.strip() for line in errlog.read().splitlines() if line.strip()]
    return f" (stderr: {lines[-1][:200]})" if lines else ""


async def look_all(entries: list[ServerEntry], project: Path, timeout: float) -> list[ServerLook]:
    """Look at every server concurrently; the whole pass takes at most about `timeout` seconds."""
    results: list[ServerLook | None] = [None] * len(entries)

    async def one(index: int, entry: ServerEntry) -> None:
        results[index] = await look(entry, project, timeout)

    async with anyio.create_task_group() as group:
        for index, entry in enumerate(entries):
            group.start_soon(one, index, entry)
    return [result for result in results if result is not None]
