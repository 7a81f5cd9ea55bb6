"""Bench section `always_on`: the bytes thrifty adds to the main thread's first request in the real Claude Code, item
by item, and how close `thrifty footprint` comes to them.

Reference, measured in the same run: the same first request with the plugin disabled. Both come from the e2e
harness (tests/e2e): Claude Code 2.1.330 with thrifty installed in a throwaway HOME, run with `claude -p` against a
scripted Messages API. Items: the skill lines and agent lines of the listings Claude Code writes, and the MCP part
(deferred tool names and server instructions once the server is connected; the client's "still connecting" note
when the first request goes out before it is).
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import Figure

SECTION = "always_on"
TARGET_BYTES = 1050
REPO = Path(__file__).resolve().parents[1]
_E2E = str(REPO / "tests" / "e2e")


def run(quick: bool) -> list[Figure]:
    if _E2E not in sys.path:
        sys.path.append(_E2E)
    from harness import E2E, PLUGIN, PluginHome, Script, copy_checkout, reply

    from fixtures_gen.claude_code import CLAUDE_VERSION, find_claude, make_stamped_venv

    claude = find_claude()
    if claude is None:
        raise RuntimeError(f"Claude Code {CLAUDE_VERSION} not found on PATH or in {REPO}/.tools")
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-always-on-") as tmp:
        base = Path(tmp)
        home = PluginHome(claude, base / "home")
        home.install(copy_checkout(base / "source"))
        home.link_venv(make_stamped_venv(base / "venv-data"))
        project = base / "project"
        project.mkdir()
        rig = E2E(home, project, base / "logs")
        try:
            with_plugin = _first_request(rig, Script.of(reply("ok.")))
            home.cli("plugin", "disable", PLUGIN)
            without = _first_request(rig, Script.of(reply("ok.")))
        finally:
            rig.close()
    added = _size(with_plugin) - _size(without)
    items = _items(_message_lines(without), _message_lines(with_plugin))
    estimate = _footprint_chars()
    parts = ", ".join(f"{name} {size:,} B" for name, size in items.items())
    return [
        Figure.compare(SECTION, "added to the main thread's first request", added, "bytes", "issue limit",
                       TARGET_BYTES, at_most=1.0, note=f"real Claude Code {CLAUDE_VERSION}; {parts}"),
        Figure.compare(SECTION, "thrifty footprint vs the real client", estimate, "chars",
                       "skills + agents + MCP part as sent", max(sum(items.values()), 1),
                       note="footprint counts the connected server (names and instructions)"),
    ]


def _first_request(rig: Any, script: Any) -> dict[str, Any]:
    api = rig.serve(script)
    rig.run("Say ok.", api=api)
    return dict(api.requests[0].body)


def _size(body: dict[str, Any]) -> int:
    return len(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())


def _message_lines(body: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for message in body.get("messages") or []:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        for block in blocks:
            if block.get("type") == "text":
                lines.extend(str(block.get("text", "")).splitlines())
    return lines


def _items(before: list[str], after: list[str]) -> dict[str, int]:
    """Bytes of the added lines (each with its newline) by item."""
    found = {"skill lines": 0, "agent lines": 0, "MCP part": 0}
    for line in difflib.ndiff(before, after):
        if not line.startswith("+ "):
            continue
        text = line[2:]
        size = len(text.encode()) + 1
        if text.startswith("- thrifty:") and "(Tools:" in text:
            found["agent lines"] += size
        elif text.startswith("- thrifty:"):
            found["skill lines"] += size
        else:
            found["MCP part"] += size
    return found


def _footprint_chars() -> int:
    done = subprocess.run([sys.executable, "-m", "thrifty", "footprint", "--json", "--no-hooks"], capture_output=True,
                          text=True, check=True, timeout=300, cwd=REPO)
    return int(json.loads(done.stdout)["totals"]["thrifty"]["deferred_chars"])
