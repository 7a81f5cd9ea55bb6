"""The deferral round trip and `alwaysLoad`, measured in the real client (issue 12).

Deferred, the main thread's first call of a tool costs one extra request: ToolSearch, whose result loads the
schema. read_many is marked `_meta` `anthropic/alwaysLoad`, so its schema is in every request once the server is
connected and its first call needs no search; grep_and_read and run_checks stay deferred and load together with one
`select:`. The alternative, `"alwaysLoad": true` on the whole server entry, is measured too. Claude Code connects
MCP servers while the first request is built (the server entry's `alwaysLoad` blocks startup for it, up to 5 s), so
the scripts below wait for the schema with cheap `true` calls instead of assuming the first request has it. Sizes
are printed in bytes of what Claude Code sent; the README turns them into the decision.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    E2E,
    GREP_AND_READ,
    READ_MANY,
    RUN_CHECKS,
    THRIFTY_TOOLS,
    ApiRequest,
    PluginHome,
    Reply,
    Script,
    reply,
    tool_use,
)

WAIT_STEPS = 8  # requests the script may spend waiting for the server to connect
OTHERS = [GREP_AND_READ, RUN_CHECKS]


def schema_bytes(request: ApiRequest, names: list[str]) -> int:
    return sum(len(json.dumps(request.tool(name), separators=(",", ":"))) for name in names)


class Player:
    """Answers `true` through Bash until read_many's schema arrives, then calls it, then plays `after_loaded`."""

    def __init__(self, after_loaded: list[Reply]) -> None:
        self.after_loaded = after_loaded
        self.loaded_at = -1  # the request that first carried read_many's schema

    def __call__(self, request: ApiRequest) -> Reply:
        if self.loaded_at < 0:
            if READ_MANY not in request.tool_names():
                return reply(tool_use("Bash", command="true"))
            self.loaded_at = request.index
            return reply(tool_use(READ_MANY, files=["calc.py#sub"]))
        return self.after_loaded.pop(0)


@pytest.fixture
def always_loaded(claude: str, plugin_source: Path, warm_venv: Path, project: Path, tmp_path: Path) -> Iterator[E2E]:
    """The rig with thrifty installed from a copy whose .mcp.json sets alwaysLoad on its server."""
    source = tmp_path / "always-load-source"
    shutil.copytree(plugin_source, source)
    config = json.loads((source / ".mcp.json").read_text(encoding="utf-8"))
    config["mcpServers"]["thrifty"]["alwaysLoad"] = True
    (source / ".mcp.json").write_text(json.dumps(config), encoding="utf-8")
    home = PluginHome(claude, tmp_path / "always-home")
    home.install(source)
    home.link_venv(warm_venv)
    rig = E2E(home, project, tmp_path / "always-logs")
    try:
        yield rig
    finally:
        rig.close()


def test_read_many_needs_no_search_and_one_select_loads_the_other_two(e2e: E2E, project: Path) -> None:
    (project / "calc.py").write_text("def sub(a, b):\n    return a - b\n", encoding="utf-8")
    step = Player([reply(tool_use("ToolSearch", query="select:" + ",".join(OTHERS), max_results=2)),
                   reply("sub subtracts.")])
    api = e2e.serve(Script.of(*[step] * (WAIT_STEPS + 3)))
    e2e.run("What does sub do?", allowed_tools=["ToolSearch", "Bash", *THRIFTY_TOOLS])
    loaded_at = step.loaded_at
    assert 0 <= loaded_at < WAIT_STEPS
    loaded, after_read, after_search = api.requests[loaded_at:loaded_at + 3]
    assert not set(OTHERS) & set(loaded.tool_names())  # deferred
    assert not any(use.name == "ToolSearch" for use in api.tool_uses()[:loaded_at + 1])
    result = after_read.last_tool_result()
    assert result is not None and "return a - b" in result.text
    assert set(OTHERS) <= set(after_search.tool_names())  # one search loaded both
    print(f"\nread_many in request {loaded_at}; its schema: {schema_bytes(loaded, [READ_MANY]):,} B in every "
          f"request. A ToolSearch round trip is a request of {after_read.size():,} B re-sent, and grows the next "
          f"by {after_search.size() - after_read.size():,} B ({schema_bytes(after_search, OTHERS):,} B of schemas)")


def test_server_always_load_sends_all_schemas_from_the_start(always_loaded: E2E, project: Path) -> None:
    (project / "calc.py").write_text("def sub(a, b):\n    return a - b\n", encoding="utf-8")
    step = Player([reply("sub subtracts.")])
    api = always_loaded.serve(Script.of(*[step] * (WAIT_STEPS + 2)))
    always_loaded.run("What does sub do?", allowed_tools=["Bash", READ_MANY])
    loaded_at = step.loaded_at
    first = api.requests[loaded_at]
    assert set(THRIFTY_TOOLS) <= set(first.tool_names())
    print(f"\nserver alwaysLoad: all three in request {loaded_at}; {schema_bytes(first, list(THRIFTY_TOOLS)):,} B of "
          f"schemas in every request; first request {api.requests[0].size():,} B")
