"""`thrifty serve` on a first start: answer the MCP client from the standard library while the venv builds, then
hand the connection to the real server. Claude Code gives a server 30 s to answer `initialize`; a pip build takes
25-40 s, so waiting for it would lose the first session's server.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from thrifty import __version__
from thrifty.instructions import INSTRUCTIONS
from thrifty.launch import environment

# mcp_types.version.HANDSHAKE_PROTOCOL_VERSIONS of the SDK the venv installs, oldest first (a test keeps them equal).
HANDSHAKE_PROTOCOL_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
TOOLS_SNAPSHOT = Path(__file__).with_name("tools_snapshot.json")
TYPICAL_BUILD_S = 35
HANDOFF_TIMEOUT_S = 120.0  # the real server's first start compiles its imports (the build skips byte-compiling)
CHUNK = 65536
METHOD_NOT_FOUND = -32601
LIST_CHANGED = b'{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n'


class Lines:
    """Newline-delimited messages from a file descriptor, keeping any partial message for whoever reads next."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.rest = b""

    def read(self) -> list[bytes] | None:
        """The complete messages from one read (possibly none); None at end of input."""
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            return None
        *lines, self.rest = (self.rest + chunk).split(b"\n")
        return [line for line in lines if line.strip()]


class StandIn:
    """The answers the server gives while it cannot run yet; remembers the handshake to replay it later."""

    def __init__(self, data: Path) -> None:
        self.started = time.monotonic()
        self.log = data / "setup.log"
        self.failure: str | None = None
        self.initialize: bytes | None = None  # the client's request, verbatim
        self.initialize_id: Any = None
        self.initialized: bytes | None = None  # the client's notification, verbatim
        self.protocol_version = HANDSHAKE_PROTOCOL_VERSIONS[-1]

    def answer(self, line: bytes) -> bytes | None:
        """The reply to one message from the client, or None for notifications and responses."""
        try:
            message = json.loads(line)
        except ValueError:
            return _error(None, -32700, "Parse error")
        if not isinstance(message, dict):
            return _error(None, -32600, "Invalid request: one JSON-RPC object per line")
        method = message.get("method")
        if "id" not in message or not isinstance(method, str):
            if method == "notifications/initialized":
                self.initialized = line
            return None
        request_id = message["id"]
        if method == "initialize":
            self.initialize, self.initialize_id = line, request_id
            requested = (message.get("params") or {}).get("protocolVersion")
            # As the SDK negotiates: the client's version when it is one we speak, else our newest.
            self.protocol_version = requested if requested in HANDSHAKE_PROTOCOL_VERSIONS else (
                HANDSHAKE_PROTOCOL_VERSIONS[-1])
            return _result(request_id, {
                "protocolVersion": self.protocol_version,
                "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "thrifty", "version": __version__},
                "instructions": INSTRUCTIONS,
            })
        if method == "ping":
            return _result(request_id, {})
        if method == "tools/list":
            return _result(request_id, {"tools": json.loads(TOOLS_SNAPSHOT.read_text(encoding="utf-8"))})
        if method == "tools/call":
            return _result(request_id, {"content": [{"type": "text", "text": self.not_ready()}], "isError": True})
        # server/discover included: method-not-found makes a client fall back to the initialize handshake.
        return _error(request_id, METHOD_NOT_FOUND, "Method not found", method)

    def not_ready(self) -> str:
        if self.failure is None:
            waited = round(time.monotonic() - self.started)
            again = max(10, 5 * round((TYPICAL_BUILD_S - waited) / 5))
            return (f"thrifty is installing its dependencies for the first time (started {waited} s ago); "
                    f"call again in about {again} s.")
        return self.failure

    def fail(self, why: str) -> None:
        self.failure = (f"thrifty could not install its dependencies ({why}), so its tools cannot run in this "
                        f"session. Log: {self.log}{_log_tail(self.log)}. Fix the cause (often: no access to the "
                        "Python package index), then run `thrifty setup` or start a new session.")
        sys.stderr.write(f"thrifty: answering tool calls with the error until the session ends ({why})\n")
        sys.stderr.flush()


def serve_while_building(root: Path, data: Path, argv: list[str]) -> int:
    """Serve MCP on stdin/stdout while the venv builds, then run the real server behind a pipe; its exit status."""
    _on_stop(_leave)  # how a client stops its server: leave without a traceback, the build going on
    stand_in = StandIn(data)
    stdin = Lines(sys.stdin.fileno())
    build = environment.start_build(root, data, stderr=subprocess.PIPE)
    assert build.stderr is not None
    with build.stderr:
        build_output = _serve(stand_in, stdin, build.stderr.fileno())
    if build_output is None:
        return 0  # the client left; the build goes on in its own session
    if build.wait(timeout=60) != 0:  # its stderr closed as it exited
        said = re.search(rb"failed \((.*)\); details in", build_output)
        stand_in.fail(said[1].decode("utf-8", "replace") if said else f"the build exited with {build.returncode}")
    elif not environment.is_current(data / "venv", environment.fingerprint(environment.dependencies(root))):
        stand_in.fail(f"the build finished but {data / 'venv'} is still not current")
    else:
        status = _hand_over(stand_in, stdin, root, environment.venv_python(data / "venv"), argv)
        if status is not None:
            return status
    _serve(stand_in, stdin, None)
    return 0


def _serve(stand_in: StandIn, stdin: Lines, build_fd: int | None) -> bytes | None:
    """Answer the client until the build's stderr closes (returning what it wrote) or stdin does (None)."""
    written = b""
    watched = [stdin.fd] if build_fd is None else [build_fd, stdin.fd]
    while True:
        ready, _, _ = select.select(watched, [], [])
        if build_fd in ready:  # first, so requests already waiting go to the real server once it is up
            chunk = os.read(build_fd, CHUNK)
            if not chunk:
                return written
            _write(sys.stderr.fileno(), chunk)
            written = (written + chunk)[-4096:]
        if stdin.fd in ready:
            lines = stdin.read()
            if lines is None:
                return None
            for line in lines:
                if (reply := stand_in.answer(line)) is not None:
                    _write(sys.stdout.fileno(), reply)


def _hand_over(stand_in: StandIn, stdin: Lines, root: Path, python: Path, argv: list[str]) -> int | None:
    """Start the real server, replay the handshake, then pipe both ways; its exit status, or None if it never came up.

    Requests the stand-in already answered are not replayed: the client has its replies.
    """
    server = subprocess.Popen([str(python), "-m", "thrifty", *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env=environment.server_env(root), bufsize=0)
    assert server.stdin is not None and server.stdout is not None
    to_server, from_server = server.stdin.fileno(), server.stdout.fileno()
    signalled: list[int] = []

    def forward(signum: int, _frame: Any) -> None:  # the stop signal is the real server's to act on
        signalled.append(signum)
        server.send_signal(signum)

    _on_stop(forward)
    try:
        if stand_in.initialize is not None:
            _write(to_server, b"".join(line + b"\n" for line in (stand_in.initialize, stand_in.initialized) if line))
            if not _await_initialize_reply(stand_in, Lines(from_server)):
                server.kill()
                server.wait()
                if signalled:
                    return 128 + signalled[0]
                _on_stop(_leave)
                stand_in.fail("the server did not start once they were installed; its errors are above in this log")
                return None
            _write(sys.stdout.fileno(), LIST_CHANGED)  # the client re-lists the tools, now from the real server
        _write(to_server, stdin.rest)
    except OSError:
        server.kill()
        server.wait()
        _on_stop(_leave)
        stand_in.fail("the server exited as it started")
        return None
    sys.stderr.write("thrifty: dependencies installed; the server has taken over\n")
    sys.stderr.flush()
    threading.Thread(target=_pump, args=(stdin.fd, server.stdin), daemon=True).start()
    _pump(from_server, None)
    try:  # its stdout ended because it is exiting, or ours broke and the client's stdin closing will stop it
        status = server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        status = server.wait()
    return 128 - status if status < 0 else status  # as a shell reports a process a signal ended


def _await_initialize_reply(stand_in: StandIn, replies: Lines) -> bool:
    """Wait (bounded) for the real server's answer to the replayed `initialize` and drop it: the client has one."""
    deadline = time.monotonic() + HANDOFF_TIMEOUT_S
    while (left := deadline - time.monotonic()) > 0 and select.select([replies.fd], [], [], left)[0]:
        lines = replies.read()
        if lines is None:
            return False
        for index, line in enumerate(lines):
            try:
                reply = json.loads(line)
            except ValueError:
                reply = None
            if not isinstance(reply, dict) or reply.get("id") != stand_in.initialize_id or "method" in reply:
                _write(sys.stdout.fileno(), line + b"\n")
                continue
            if "result" not in reply:
                return False
            if reply["result"].get("protocolVersion") != stand_in.protocol_version:
                sys.stderr.write(f"thrifty: the server negotiated {reply['result'].get('protocolVersion')}, the "
                                 f"stand-in {stand_in.protocol_version}; update HANDSHAKE_PROTOCOL_VERSIONS\n")
            rest = b"".join(later + b"\n" for later in lines[index + 1:]) + replies.rest
            _write(sys.stdout.fileno(), rest)
            return True
    return False


def _on_stop(handler: Callable[[int, Any], None]) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handler)


def _leave(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def _pump(source: int, sink: Any) -> None:
    """Copy bytes until the source ends; a sink of None is our stdout. Closing a file sink passes the end on."""
    out = sys.stdout.fileno() if sink is None else sink.fileno()
    try:
        while chunk := os.read(source, CHUNK):
            _write(out, chunk)
    except OSError:
        pass  # the other side is gone; the process exit that follows tells the rest
    finally:
        if sink is not None:
            sink.close()


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _result(request_id: Any, result: dict[str, Any]) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result}, separators=(",", ":")).encode() + b"\n"


def _error(request_id: Any, code: int, message: str, data: Any = None) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "error": error}, separators=(",", ":")).encode() + b"\n"


def _log_tail(log: Path) -> str:
    """How the last build's log ends (pip's ERROR lines when there are any), clipped, as ` (it ends: ...)`."""
    try:
        with open(log, "rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - 8192))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip()[:200] for line in text.rpartition("\n--- ")[2].splitlines()[1:] if line.strip()]
    kept = [line for line in lines if line.startswith("ERROR")][-3:] or lines[-3:]
    return (" (it ends: " + " | ".join(kept) + ")") if kept else ""
