"""The real server's tools/list as it goes over the wire, kept in tools_snapshot.json for the first-run stand-in.

Regenerate after changing a tool definition (a test fails until then):
`.venv/bin/python -m thrifty.launch.tools_snapshot`.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from typing import Any

from thrifty.launch import environment, firstrun

HANDSHAKE = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": firstrun.HANDSHAKE_PROTOCOL_VERSIONS[-1], "capabilities": {},
        "clientInfo": {"name": "tools-snapshot", "version": "0"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]


def live_tools(timeout: float = 60.0) -> list[dict[str, Any]]:
    """tools/list from `thrifty serve --text-only` (as the plugin runs it) over a real stdio pipe."""
    root = environment.plugin_root()
    server = subprocess.Popen([sys.executable, "-m", "thrifty", "serve", "--text-only", "--root", str(root)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment.server_env(root),
                              bufsize=0)
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write(b"".join(json.dumps(message).encode() + b"\n" for message in HANDSHAKE))
        server.stdin.flush()
        replies = firstrun.Lines(server.stdout.fileno())
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0 and select.select([replies.fd], [], [], left)[0]:
            lines = replies.read()
            if lines is None:
                break
            for line in lines:
                reply = json.loads(line)
                if reply.get("id") == 2:
                    return list(reply["result"]["tools"])
        raise RuntimeError("the server did not list its tools")
    finally:
        server.stdin.close()
        server.kill()
        server.wait()
        server.stdout.close()


if __name__ == "__main__":
    firstrun.TOOLS_SNAPSHOT.write_text(json.dumps(live_tools(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {firstrun.TOOLS_SNAPSHOT}")
