"""The first start of the plugin's server: MCP answered at once while the venv builds, then the real server takes over
in the same session. A gated stand-in for pip (gated_build.py) keeps the build running until the test lets it end.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import anyio
import mcp_types
import pytest
from gated_build import link_venv
from launch_helpers import (
    REPO,
    closed_gate,
    fifo_reader,
    mcp_json_server,
    plugin_env,
    read_until,
    stamp_for_system_python,
)
from mcp import Client
from mcp.client.session import IncomingMessage
from mcp.client.stdio import stdio_client
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION

from fixtures_gen.hooks import hook_command
from fixtures_gen.locks import is_locked
from fixtures_gen.pipes import read_lines_until, read_until_sync
from thrifty import app
from thrifty.instructions import INSTRUCTIONS
from thrifty.launch import environment, firstrun
from thrifty.launch.tools_snapshot import live_tools

pytestmark = pytest.mark.anyio
BOUND_S = 120  # generous: cold interpreters and imports on a loaded machine
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": LATEST_HANDSHAKE_VERSION, "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}}


@contextmanager
def stderr_pipe() -> Iterator[tuple[int, TextIO]]:
    """A pipe to hand a server as its stderr: (read end, write end as a file)."""
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "w") as errlog:
        try:
            yield read_fd, errlog
        finally:
            os.close(read_fd)


def _text(result: mcp_types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, mcp_types.TextContent))


def test_the_stand_in_offers_the_handshake_versions_of_the_installed_sdk() -> None:
    assert firstrun.HANDSHAKE_PROTOCOL_VERSIONS == HANDSHAKE_PROTOCOL_VERSIONS


def test_the_tools_snapshot_is_what_the_real_server_lists() -> None:
    snapshot = json.loads(firstrun.TOOLS_SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot == live_tools(), "tool definitions changed: run `.venv/bin/python -m thrifty.launch.tools_snapshot`"


def test_the_tools_list_result_stays_within_1500_bytes_on_the_wire() -> None:
    tools = live_tools()
    assert len(json.dumps({"tools": tools}, separators=(",", ":"), ensure_ascii=False).encode()) <= 1500
    assert [t["name"] for t in tools] == ["read_many", "grep_and_read", "run_checks"]


def test_the_real_server_and_the_stand_in_give_the_same_instructions() -> None:
    assert app.INSTRUCTIONS is INSTRUCTIONS


async def test_a_first_start_connects_and_lists_the_real_tools_while_the_venv_builds_then_hands_over(
    project: Path, tmp_path: Path
) -> None:
    (project / "hello.py").write_text("def greet():\n    return 'hi'\n", encoding="utf-8")
    data = tmp_path / "plugin-data"
    gate = tmp_path / "gate"
    relisted = anyio.Event()

    async def on_message(message: IncomingMessage) -> None:
        if isinstance(message, mcp_types.ToolListChangedNotification):
            relisted.set()

    started = bytearray()
    with (closed_gate(gate) as open_gate, fifo_reader(tmp_path / "started") as started_fd,
          stderr_pipe() as (_, errlog), anyio.fail_after(BOUND_S)):
        server = mcp_json_server(project, data, build="ok", gate=gate, started=tmp_path / "started")
        transport = stdio_client(server, errlog=errlog)
        async with Client(transport, message_handler=on_message) as client:  # probes server/discover first
            assert client.protocol_version == LATEST_HANDSHAKE_VERSION
            assert client.server_info is not None and client.server_info.name == "thrifty"
            assert client.instructions == INSTRUCTIONS
            listed = [tool.model_dump(by_alias=True, mode="json", exclude_none=True)
                      for tool in (await client.list_tools()).tools]
            building = await client.call_tool("read_many", {"files": ["hello.py#greet"]})
            # Still building: it has reached the closed gate, holds its lock and has not stamped the venv.
            await read_until(started_fd, "waiting", started)
            assert is_locked(data / "venv.lock")
            assert not (data / "venv" / environment.STAMP).exists()

            open_gate()
            await relisted.wait()
            real = await client.call_tool("read_many", {"files": ["hello.py#greet"]})
            relisted_tools = {tool.name for tool in (await client.list_tools()).tools}

    assert listed == json.loads(firstrun.TOOLS_SNAPSHOT.read_text(encoding="utf-8"))
    assert {"read_many", "grep_and_read", "run_checks"} <= {tool["name"] for tool in listed}
    assert building.is_error
    assert "installing its dependencies for the first time (started " in _text(building)
    assert "call again in about" in _text(building)
    assert not real.is_error
    assert "1 def greet():" in _text(real) and "return 'hi'" in _text(real)
    assert relisted_tools == {tool["name"] for tool in listed}
    assert (data / "venv" / environment.STAMP).read_text(encoding="utf-8").strip() == stamp_for_system_python()


def test_the_stand_in_answers_the_protocol_on_the_raw_wire_and_leaves_the_build_running(
    project: Path, tmp_path: Path
) -> None:
    data = tmp_path / "plugin-data"
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "initialize", "params": {"protocolVersion": "2024-11-05"}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"protocolVersion": "2099-01-01"}},
        {"jsonrpc": "2.0", "id": 4, "method": "ping"},
        {"jsonrpc": "2.0", "id": 5, "method": "resources/list"},
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 4}},
    ]
    wire = "".join(json.dumps(request) + "\n" for request in requests) + "this is not json\n"
    env = plugin_env(project, data, build="ok", gate=tmp_path / "gate", started=tmp_path / "started")
    with closed_gate(tmp_path / "gate"), fifo_reader(tmp_path / "started") as started_fd:
        run = subprocess.run(["sh", str(REPO / "bin" / "thrifty"), "serve", "--text-only"], input=wire,
                             capture_output=True, text=True, timeout=BOUND_S, cwd=project, env=env)
        assert run.returncode == 0, run.stderr  # stdin closed: the stand-in has left ...
        assert select.select([started_fd], [], [], BOUND_S)[0] and os.read(started_fd, 64) == b"waiting\n"
        assert is_locked(data / "venv.lock")  # ... and the build goes on in its own session
    replies = {reply["id"]: reply for reply in map(json.loads, run.stdout.splitlines())}
    assert len(run.stdout.splitlines()) == 6  # one per request; none for notifications
    assert replies[1]["error"]["code"] == -32601
    assert replies[2]["result"]["protocolVersion"] == "2024-11-05"
    assert replies[2]["result"]["capabilities"] == {"tools": {"listChanged": True}}
    assert replies[2]["result"]["serverInfo"]["name"] == "thrifty"
    assert replies[3]["result"]["protocolVersion"] == LATEST_HANDSHAKE_VERSION
    assert replies[4]["result"] == {}
    assert replies[5]["error"] == {"code": -32601, "message": "Method not found", "data": "resources/list"}
    assert replies[None]["error"]["code"] == -32700


async def test_a_failed_first_build_answers_tool_calls_with_the_reason_and_the_log(
    project: Path, tmp_path: Path
) -> None:
    data = tmp_path / "plugin-data"
    seen = bytearray()
    with stderr_pipe() as (read_fd, errlog), anyio.fail_after(BOUND_S):
        transport = stdio_client(mcp_json_server(project, data, build="fail"), errlog=errlog)
        async with Client(transport) as client:
            await read_until(read_fd, "answering tool calls with the error", seen)
            tools = (await client.list_tools()).tools
            failed = await client.call_tool("grep_and_read", {"patterns": ["greet"]})
    assert {tool.name for tool in tools} >= {"read_many", "grep_and_read"}
    assert failed.is_error
    text = _text(failed)
    assert "could not install its dependencies (the installer exited with status 1)" in text
    assert str(data / "setup.log") in text
    assert "Could not find a version that satisfies the requirement mcp" in text  # the log's own last words
    assert "then run `thrifty setup` or start a new session" in text
    assert "Traceback" not in seen.decode(errors="replace")


def test_the_session_start_hook_waits_for_the_build_the_server_started_and_builds_nothing_again(
    project: Path, tmp_path: Path
) -> None:
    data = tmp_path / "plugin-data"
    gate = tmp_path / "gate"
    env = plugin_env(project, data, build="ok", gate=gate)
    with closed_gate(gate) as open_gate:
        server = subprocess.Popen(["sh", str(REPO / "bin" / "thrifty"), "serve", "--text-only"], env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert server.stdin is not None
        server.stdin.write(b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
        server.stdin.flush()
        hook = subprocess.Popen(hook_command("session-start", "python3"), stdin=subprocess.PIPE,
                                env=dict(env, PYTHONPATH=str(REPO / "server")))
        assert hook.stdin is not None
        hook.stdin.write(b"{}")
        hook.stdin.close()
        open_gate()
        assert hook.wait(timeout=BOUND_S) == 0
        server.stdin.close()
        assert server.wait(timeout=BOUND_S) == 0
    assert (data / "venv" / environment.STAMP).exists()
    assert (data / "setup.log").read_text(encoding="utf-8").count(" building ") == 1
    assert not (data / "hooks.log").exists()  # the hook ran its step without an error


def _start(project: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["sh", str(REPO / "bin" / "thrifty"), "serve", "--text-only"], cwd=project, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _stop(server: subprocess.Popen[bytes], signum: int) -> tuple[int, str]:
    """Signal the server and close its stdin, as a client stopping it does; its exit status and stderr."""
    assert server.stdin is not None and server.stderr is not None and server.stdout is not None
    server.send_signal(signum)
    server.stdin.close()
    status = server.wait(timeout=BOUND_S)
    with server.stderr, server.stdout:
        return status, server.stderr.read().decode(errors="replace")


def test_a_stop_signal_while_building_ends_the_stand_in_quietly_and_not_the_build(
    project: Path, tmp_path: Path
) -> None:
    data = tmp_path / "plugin-data"
    env = plugin_env(project, data, build="ok", gate=tmp_path / "gate", started=tmp_path / "started")
    with closed_gate(tmp_path / "gate"), fifo_reader(tmp_path / "started") as started_fd:
        server = _start(project, env)
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps(INITIALIZE).encode() + b"\n")
        server.stdin.flush()
        read_until_sync(server.stdout.fileno(), b'"serverInfo"', BOUND_S)
        read_until_sync(started_fd, b"waiting", BOUND_S)
        status, stderr = _stop(server, signal.SIGTERM)
        assert is_locked(data / "venv.lock")
    assert status == 0
    assert "Traceback" not in stderr


def test_a_stop_signal_after_the_hand_over_reaches_the_real_server_and_leaves_nothing_running(
    project: Path, tmp_path: Path
) -> None:
    if not Path("/proc/self/task").exists():
        pytest.skip("reads the process table from /proc")
    server = _start(project, plugin_env(project, tmp_path / "plugin-data", build="ok"))
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(json.dumps(INITIALIZE).encode() + b'\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    server.stdin.flush()
    read_until_sync(server.stdout.fileno(), b"notifications/tools/list_changed", BOUND_S)
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text(encoding="utf-8").split()
    _, stderr = _stop(server, signal.SIGINT)
    assert len(children) == 1  # the real server, started once the build was done
    assert not Path(f"/proc/{children[0]}").exists()  # waited for, not left behind
    assert "the server has taken over" in stderr
    assert "stopped by SIGINT" in stderr and "Traceback" not in stderr  # the real server got the signal ...
    assert "KeyboardInterrupt" not in stderr  # ... and the stand-in did not die of it


def test_the_build_byte_compiles_the_server_even_where_bytecode_writing_is_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = tmp_path / "plugin"
    shutil.copytree(REPO / "server" / "thrifty", plugin / "server" / "thrifty",
                    ignore=shutil.ignore_patterns("__pycache__"))
    link_venv(tmp_path / "venv")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    environment._precompile(tmp_path / "venv", plugin, tmp_path / "setup.log")
    package = plugin / "server" / "thrifty"
    compiled = {path.name.split(".")[0] for path in package.glob("__pycache__/*.pyc")}
    assert {"app", "cli", "instructions"} <= compiled
    # the hooks' modules too, which the server never imports: each hook would otherwise compile them every run
    assert {"gate", "budgets", "settings"} <= {p.name.split(".")[0] for p in package.glob("guard/__pycache__/*.pyc")}
    assert "pre_tool_use" in {p.name.split(".")[0] for p in package.glob("hooks/__pycache__/*.pyc")}
    assert (tmp_path / "setup.log").read_text(encoding="utf-8") == ""  # imported without an error


async def test_a_current_venv_is_run_directly_with_no_stand_in(project: Path, tmp_path: Path) -> None:
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("reads the process table from /proc")
    data = tmp_path / "plugin-data"
    link_venv(data / "venv")
    (data / "venv" / environment.STAMP).write_text(stamp_for_system_python() + "\n", encoding="utf-8")
    server = subprocess.Popen(["sh", str(REPO / "bin" / "thrifty"), "serve", "--text-only"], cwd=project,
                              env=plugin_env(project, data), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write(json.dumps(INITIALIZE).encode() + b"\n")
        server.stdin.flush()
        first = read_lines_until(server.stdout.fileno(), lambda line: True, BOUND_S)[0]
        assert json.loads(first)["id"] == 1
        argv = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text(encoding="utf-8").split()
    finally:
        server.stdin.close()
        server.wait(timeout=BOUND_S)
        server.stdout.close()
    assert argv[:1] == [str(data / "venv" / "bin" / "python").encode()]  # sh and the launcher exec'd into it
    assert argv[1:4] == [b"-m", b"thrifty", b"serve"]
    assert children == []
    assert not (data / "setup.log").exists()


def test_the_session_start_hook_points_the_launcher_at_this_plugin_even_when_the_build_fails(
    project: Path, tmp_path: Path
) -> None:
    from thrifty.launch.statusline_launcher import launcher_text, write_launcher

    data = tmp_path / "plugin-data"
    launcher = write_launcher(data, tmp_path / "removed-plugin-version")
    env = plugin_env(project, data, build="fail")
    hook = subprocess.run(hook_command("session-start", "python3"), input=b"{}", capture_output=True,
                          env=dict(env, PYTHONPATH=str(REPO / "server")), timeout=BOUND_S, check=False)
    assert not (data / "venv" / environment.STAMP).exists(), hook.stderr  # the build did fail
    assert launcher.read_text(encoding="utf-8") == launcher_text(REPO)


def test_the_session_start_hook_waits_for_a_build_less_than_its_own_timeout(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = json.loads((REPO / "hooks" / "hooks.json").read_text(encoding="utf-8"))["hooks"]
    [timeout] = [hook["timeout"] for entry in hooks["SessionStart"] for hook in entry["hooks"]]
    assert environment.SESSION_START_WAIT_S <= timeout - 30  # a margin to refresh the launcher and exit
    data, gate = tmp_path / "plugin-data", tmp_path / "gate"
    for name, value in plugin_env(project, data, build="ok", gate=gate).items():
        monkeypatch.setenv(name, value)
    with closed_gate(gate):
        with pytest.raises(subprocess.TimeoutExpired):
            environment.ensure_venv(REPO, data, wait_s=1)
        assert is_locked(data / "venv.lock")  # past the wait the build goes on
    environment.ensure_venv(REPO, data)  # and finishes: waited on, nothing built twice
    assert (data / "venv" / environment.STAMP).exists()
    assert (data / "setup.log").read_text(encoding="utf-8").count(" building ") == 1
