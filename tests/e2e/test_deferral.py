"""The deferral round trip and `alwaysLoad`, measured in the real client (issue 12).

Deferred (thrifty's choice), the main thread's first thrifty call costs one extra request: ToolSearch, whose result
loads the schemas; one `select:` loads all three. The alternative, `"alwaysLoad": true` on the server entry (or
`_meta` `anthropic/alwaysLoad` on a tool), puts the schemas in every request instead; it is measured here too.
Claude Code connects MCP servers while the first request is built (the server entry's `alwaysLoad` blocks startup
for it, up to 5 s), so that script waits for the schema with cheap `true` calls instead of assuming the first
request has it. Sizes are printed in bytes of what Claude Code sent; the README turns them into the decision.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    E2E,
    READ_MANY,
    THRIFTY_TOOLS,
    ApiRequest,
    PluginHome,
    Reply,
    Script,
    reply,
    tool_use,
)

WAIT_STEPS = 8  # requests the script may spend waiting for the server to connect


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


def test_one_select_loads_all_three_tools_in_one_round_trip(e2e: E2E, project: Path) -> None:
    (project / "calc.py").write_text("def sub(a, b):\n    return a - b\n", encoding="utf-8")
    api = e2e.serve(Script.of(
        reply(tool_use("ToolSearch", query="select:" + ",".join(THRIFTY_TOOLS), max_results=3)),
        reply(tool_use(READ_MANY, files=["calc.py#sub"])),
        reply("sub subtracts."),
    ))
    e2e.run("What does sub do?", allowed_tools=["ToolSearch", READ_MANY])
    first, second, third = api.requests
    assert not set(THRIFTY_TOOLS) & set(first.tool_names())  # deferred
    assert set(THRIFTY_TOOLS) <= set(second.tool_names())  # the one search loaded all three
    result = third.last_tool_result()
    assert result is not None and "return a - b" in result.text
    print(f"\ndeferral: the ToolSearch round trip is a request of {second.size():,} B re-sent "
          f"({schema_bytes(second, list(THRIFTY_TOOLS)):,} B of schemas loaded by it)")


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
