"""Bench section `server`: how fast the plugin's MCP server answers, started exactly as .mcp.json starts it.

First start (full mode only: it builds a venv with pip in a scratch data dir): time to the `initialize` reply,
against Claude Code's 30 s start limit, and time until the real server has taken the session over. Warm start:
against a bare `import mcp.server.mcpserver` in the same venv, the floor any MCP SDK server pays.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import Figure, median_seconds, run_command
from thrifty.launch.environment import ensure_venv, plugin_root
from thrifty.paths import data_dir

SECTION = "server"
CLAUDE_CODE_START_LIMIT_S = 30.0
TOOLS_LIST_LIMIT = 1500
FIRST_START_BOUND_S = 900.0
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
HANDED_OVER = "notifications/tools/list_changed"  # what the first-run stand-in sends once the real server has it


def _mcp_json_command(root: Path) -> list[str]:
    entry = json.loads((root / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["thrifty"]
    return [entry["command"], *(arg.replace("${CLAUDE_PLUGIN_ROOT}", str(root)) for arg in entry["args"])]


def _plugin_env(root: Path, data: Path) -> dict[str, str]:
    env = dict(os.environ, CLAUDE_PLUGIN_ROOT=str(root), CLAUDE_PLUGIN_DATA=str(data), CLAUDE_PROJECT_DIR=str(root))
    env.pop("THRIFTY_DATA_DIR", None)
    return env


def _start(root: Path, data: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        _mcp_json_command(root), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=_plugin_env(root, data), cwd=root,
    )
    assert proc.stdin is not None
    proc.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
    proc.stdin.flush()
    return proc


def _read_message(proc: subprocess.Popen[bytes]) -> dict[str, object]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError("the server closed its output before answering")
    message: dict[str, object] = json.loads(line)
    return message


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()


def _time_to_initialized(root: Path, data: Path) -> float:
    """Seconds from spawning the server to reading its answer to `initialize`."""
    start = time.perf_counter()
    proc = _start(root, data)
    try:
        if "result" not in _read_message(proc):
            raise RuntimeError("server did not answer initialize")
        return time.perf_counter() - start
    finally:
        _stop(proc)


def _first_start(root: Path, data: Path) -> tuple[float, float]:
    """In a data dir with no venv: seconds to the `initialize` reply, and to the real server taking over."""
    start = time.perf_counter()
    proc = _start(root, data)
    try:
        if "result" not in _read_message(proc):
            raise RuntimeError("server did not answer initialize")
        answered = time.perf_counter() - start
        assert proc.stdin is not None
        proc.stdin.write((json.dumps(INITIALIZED) + "\n").encode())
        proc.stdin.flush()
        while _read_message(proc).get("method") != HANDED_OVER:  # bounded: the stand-in gives up on a failed build
            if time.perf_counter() - start > FIRST_START_BOUND_S:
                raise RuntimeError(f"no hand-over to the real server within {FIRST_START_BOUND_S:.0f} s")
        return answered, time.perf_counter() - start
    finally:
        _stop(proc)


def _tools_list_bytes(root: Path, data: Path) -> int:
    """Bytes of the tools/list result as the server sends it (compact JSON, the way the SDK writes the wire)."""
    proc = _start(root, data)
    try:
        _read_message(proc)
        assert proc.stdin is not None
        for message in (INITIALIZED, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}):
            proc.stdin.write((json.dumps(message) + "\n").encode())
        proc.stdin.flush()
        while (reply := _read_message(proc)).get("id") != 2:
            pass
        return len(json.dumps(reply["result"], separators=(",", ":"), ensure_ascii=False).encode())
    finally:
        _stop(proc)


def _median(measure: Callable[[], float], repeat: int) -> float:
    return statistics.median(measure() for _ in range(repeat))


def _first_start_figures(root: Path) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-first-start-") as scratch:
        answered, handed_over = _first_start(root, Path(scratch))
    return [
        Figure.compare(
            SECTION, "first start: initialize answered", answered, "s", "Claude Code MCP start limit",
            CLAUDE_CODE_START_LIMIT_S, at_most=1.0, note="no venv yet: the stand-in answers while pip builds it",
        ),
        Figure.compare(
            SECTION, "first start: real server took over", handed_over, "s", "Claude Code MCP start limit",
            CLAUDE_CODE_START_LIMIT_S, note="venv built with pip, then the session handed to the real server",
        ),
    ]


def run(quick: bool) -> list[Figure]:
    root = plugin_root()
    figures = [] if quick else _first_start_figures(root)
    data = data_dir()
    python, _ = ensure_venv(root, data)
    repeat = 3 if quick else 7
    bare = [str(python), "-c", "import mcp.server.mcpserver"]
    subprocess.run(bare, check=True)  # fails loudly if the venv cannot import the SDK
    _time_to_initialized(root, data)  # warm the page cache and bytecode, as median_seconds does for the reference
    reference = median_seconds(run_command(bare), repeat=repeat)
    warm = _median(lambda: _time_to_initialized(root, data), repeat)
    figures.append(
        Figure.compare(
            SECTION, "warm start to initialize reply", warm, "s", "bare import mcp.server.mcpserver", reference,
            at_most=1.1, note="sh bin/thrifty serve (launcher check + exec + server) as .mcp.json runs it",
        )
    )
    figures.append(
        Figure.compare(
            SECTION, "tools/list result", _tools_list_bytes(root, data), "bytes", "issue limit", TOOLS_LIST_LIMIT,
            at_most=1.0, note="all three tool definitions as the server sends them",
        )
    )
    return figures
