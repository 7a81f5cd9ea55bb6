"""Helpers for the launcher tests: the plugin's server as .mcp.json starts it, a gated first build, lock probes."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
from mcp import StdioServerParameters

REPO = Path(__file__).resolve().parents[2]
GATED_BUILD = Path(__file__).with_name("gated_build.py")


def mcp_json_server(project: Path, data: Path, **build: Any) -> StdioServerParameters:
    """The server entry of .mcp.json with the plugin's variables filled in (`build`: as for plugin_env)."""
    entry = json.loads((REPO / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["thrifty"]
    args = [arg.replace("${CLAUDE_PLUGIN_ROOT}", str(REPO)) for arg in entry["args"]]
    return StdioServerParameters(command=entry["command"], args=args, env=plugin_env(project, data, **build),
                                 cwd=str(project))


def plugin_env(project: Path, data: Path, build: str | None = None, gate: Path | None = None,
               started: Path | None = None) -> dict[str, str]:
    """The environment Claude Code gives the plugin's server; `build` ("ok"/"fail") swaps pip for gated_build.py,
    held back by `gate` and announcing itself into the FIFO `started`."""
    env = dict(os.environ, CLAUDE_PLUGIN_ROOT=str(REPO), CLAUDE_PLUGIN_DATA=str(data), CLAUDE_PROJECT_DIR=str(project))
    env.pop("THRIFTY_DATA_DIR", None)
    if build is not None:
        command = [sys.executable, str(GATED_BUILD), str(gate or data.parent / "no-gate"), build, str(started or "-")]
        env["THRIFTY_TEST_BUILD_COMMAND"] = json.dumps(command)
    return env


@contextmanager
def closed_gate(path: Path) -> Iterator[Callable[[], None]]:
    """Hold the gate a gated build waits on until the yielded function (or the end of the block) opens it."""
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield lambda: fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def fifo_reader(path: Path) -> Iterator[int]:
    """A FIFO at `path`, open for reading without waiting for a writer; yields its descriptor."""
    os.mkfifo(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield fd
    finally:
        os.close(fd)


def stamp_for_system_python() -> str:
    """The venv fingerprint python3 (what bin/thrifty runs) computes for this checkout."""
    code = "from thrifty.launch import environment as b; print(b.fingerprint(b.dependencies(b.plugin_root())))"
    return subprocess.run(["python3", "-c", code], capture_output=True, text=True, check=True, timeout=30,
                          env=dict(os.environ, PYTHONPATH=str(REPO / "server"))).stdout.strip()


async def read_until(fd: int, text: str, seen: bytearray) -> str:
    """Read a pipe (a server's stderr) until `text` has appeared; all of it so far."""
    while text.encode() not in seen:
        await anyio.wait_readable(fd)
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"the pipe closed before {text!r} appeared: {seen.decode(errors='replace')}")
        seen += chunk
    return seen.decode(errors="replace")
