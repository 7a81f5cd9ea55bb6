"""Bench section `server`: how fast the plugin's MCP server answers, started exactly as .mcp.json starts it.

Reference: a bare `import mcp.server.mcpserver` in the same venv, which is the floor any MCP SDK server pays.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from thrifty.bench import Figure
from thrifty.bootstrap import ensure_venv, plugin_root
from thrifty.paths import data_dir

SECTION = "server"
CLAUDE_CODE_START_LIMIT_S = 30.0
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}},
}


def _mcp_json_command(root: Path) -> list[str]:
    entry = json.loads((root / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["thrifty"]
    return [entry["command"], *(arg.replace("${CLAUDE_PLUGIN_ROOT}", str(root)) for arg in entry["args"])]


def _time_to_initialized(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    """Seconds from spawning the server to reading its answer to `initialize`."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
        proc.stdin.flush()
        reply = proc.stdout.readline()
        elapsed = time.perf_counter() - start
        if b'"result"' not in reply:
            raise RuntimeError(f"server did not answer initialize: {reply[:200]!r}")
        return elapsed
    finally:
        proc.kill()
        proc.wait()


def _median(fn: object, repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))  # type: ignore[operator]


def run(quick: bool) -> list[Figure]:
    root = plugin_root()
    data = data_dir()
    build_start = time.perf_counter()
    python, built = ensure_venv(root, data)
    build_seconds = time.perf_counter() - build_start
    figures = []
    if built:
        figures.append(
            Figure.compare(
                SECTION, "first start: venv build", build_seconds, "s", "Claude Code MCP start limit",
                CLAUDE_CODE_START_LIMIT_S, at_most=1.0, note="built now because the plugin venv was missing or stale",
            )
        )
    repeat = 3 if quick else 7
    env = dict(os.environ, CLAUDE_PLUGIN_ROOT=str(root), CLAUDE_PLUGIN_DATA=str(data), CLAUDE_PROJECT_DIR=str(root))
    env.pop("THRIFTY_DATA_DIR", None)
    bare = [str(python), "-c", "import mcp.server.mcpserver"]
    subprocess.run(bare, check=True)  # warm the page cache and bytecode for both sides alike
    _time_to_initialized(_mcp_json_command(root), env, root)

    def bare_import() -> float:
        start = time.perf_counter()
        subprocess.run(bare, check=True)
        return time.perf_counter() - start

    reference = _median(bare_import, repeat)
    warm = _median(lambda: _time_to_initialized(_mcp_json_command(root), env, root), repeat)
    figures.append(
        Figure.compare(
            SECTION, "warm start to initialize reply", warm, "s", "bare import mcp.server.mcpserver", reference,
            at_most=1.3, note="sh bin/thrifty serve (launcher check + exec + server) as .mcp.json runs it",
        )
    )
    return figures
