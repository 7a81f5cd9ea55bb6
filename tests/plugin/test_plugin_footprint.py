"""`thrifty footprint`: thrifty's resident context item by item, hook output, and other MCP servers measured live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client, MCPError
from plugin_helpers import REPO, make_stamped_venv

from fixtures_gen.mcp_client import BOUND_S
from fixtures_gen.pipes import read_lines_until
from thrifty.app import ServerConfig, build_server
from thrifty.commands.footprint import footprint
from thrifty.footprint.hook_probe import context_added
from thrifty.footprint.mcp_servers import ServerEntry, configured_servers, look_all
from thrifty.footprint.measure import INSTRUCTIONS_HEADER, Footprint, measure
from thrifty.paths import data_dir

# A foreign MCP server in plain Python (no SDK import, so it starts in milliseconds): newline-delimited JSON-RPC on
# stdio answering the handshake and tools/list, as any stdio server Claude Code starts would.
DEMO_SERVER = '''
import json, sys

TOOLS = [
    {"name": "echo", "description": "Return the text unchanged.",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}},
    {"name": "add", "description": "Add two integers.",
     "inputSchema": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}},
]
for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    if message["method"] == "initialize":
        result = {"protocolVersion": message["params"]["protocolVersion"], "capabilities": {"tools": {}},
                  "serverInfo": {"name": "demo", "version": "1"}, "instructions": "Demo server for thrifty's tests."}
    elif message["method"] == "tools/list":
        result = {"tools": TOOLS}
    else:
        result = {}
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
'''


def _measure(project: Path, hooks: bool = False) -> Footprint:
    return anyio.run(lambda: measure(REPO, project, data_dir(), hooks=hooks))


def test_every_thrifty_tool_is_measured_by_name_up_front_and_by_full_schema(project: Path) -> None:
    result = _measure(project)
    tools = [i for i in result.items if i.kind == "tool"]
    assert {t.name for t in tools} >= {f"mcp__plugin_thrifty_thrifty__{n}" for n in ("read_many", "grep_and_read",
                                                                                      "run_checks")}
    for tool in tools:
        assert tool.deferred_chars == len(tool.name) + 1
        assert tool.full_chars > 4 * tool.deferred_chars  # description and input schema
        assert tool.wire_bytes and tool.wire_bytes > len(tool.name)
    (header, instructions) = [i for i in result.items if i.kind == "instructions"]  # as the client lays them out
    assert instructions.name == "thrifty" and header.name == "(header)"
    assert instructions.deferred_chars == instructions.full_chars > 50
    assert header.deferred_chars == len(INSTRUCTIONS_HEADER) and header.source == "thrifty"


def test_thrifty_tools_list_stays_under_two_thousand_bytes(project: Path) -> None:
    result = _measure(project)
    assert result.tools_list_bytes < 2000


def test_tool_bytes_are_those_the_real_server_sends_over_stdio(project: Path) -> None:
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    # The server .mcp.json declares (serve --text-only), in this venv. Its stdin stays open until the listing has
    # come back: a server may drop requests still in flight when its input closes.
    server = subprocess.Popen([sys.executable, "-m", "thrifty", "serve", "--text-only"], cwd=project,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write("".join(json.dumps(m) + "\n" for m in messages).encode())
        server.stdin.flush()
        lines = read_lines_until(server.stdout.fileno(), lambda line: json.loads(line).get("id") == 2, BOUND_S)
        listing = json.loads(lines[-1])["result"]
    finally:
        server.stdin.close()
        server.wait(timeout=60)
        server.stdout.close()
    sent = [len(json.dumps(tool, separators=(",", ":"), ensure_ascii=False).encode()) for tool in listing["tools"]]
    result = _measure(project)
    assert [i.wire_bytes for i in result.items if i.kind == "tool"] == sent
    assert result.tools_list_bytes == len(json.dumps(listing, separators=(",", ":"), ensure_ascii=False).encode())


def test_totals_add_up_and_user_only_commands_cost_nothing(project: Path) -> None:
    result = _measure(project)
    total = result.totals["all"]
    assert total.deferred_tokens == sum(i.deferred_tokens for i in result.items)
    assert total.full_tokens == sum(i.full_tokens for i in result.items)
    assert total.deferred_chars == sum(i.deferred_chars for i in result.items)
    assert total.deferred_tokens < total.full_tokens
    (cost,) = [i for i in result.items if i.name == "thrifty:cost"]
    assert cost.deferred_tokens == 0 and "user-invoked" in cost.note
    for item in result.items:
        assert item.deferred_tokens == -(-item.deferred_chars // 3)


def test_always_on_listing_of_skills_agents_and_tools_stays_small(project: Path) -> None:
    result = _measure(project)
    assert result.totals["all"].deferred_tokens <= 800, result.totals["all"]


def test_hooks_print_nothing_so_they_add_no_context(project: Path) -> None:
    make_stamped_venv(data_dir())  # SessionStart finds its venv current: a check, not a 20 s install
    result = _measure(project, hooks=True)
    hooks = [i for i in result.items if i.kind == "hook"]
    assert {h.name for h in hooks} >= {"SessionStart", "Stop", "SubagentStop"}
    for hook in hooks:
        assert hook.deferred_chars == 0, hook
        assert hook.note.startswith("exit 0, no output"), hook.note


@pytest.mark.parametrize(
    ("event", "code", "stdout", "stderr", "expected"),
    [
        ("SessionStart", 0, "remember this", "", "remember this"),
        ("Stop", 0, "plain text is not context here", "", ""),
        ("Stop", 0, '{"decision": "block", "reason": "keep going"}', "", "keep going"),
        ("PostToolUse", 0, '{"hookSpecificOutput": {"additionalContext": "note"}}', "", "note"),
        ("Stop", 2, "", "blocked because", "blocked because"),
        ("SessionStart", 2, "", "cannot block", ""),
        ("Stop", 1, "", "a crash only notifies the user", ""),
        ("SessionStart", None, "", "", ""),
    ],
)
def test_hook_output_reaches_the_model_only_as_claude_code_rules_say(
    event: str, code: int | None, stdout: str, stderr: str, expected: str
) -> None:
    assert context_added(event, code, stdout, stderr) == expected


def _write_settings(project: Path, tmp_path: Path, *, silent: bool = False) -> None:
    """Servers of every kind in every scope; `silent` adds one that starts but never answers."""
    script = tmp_path / "demo_server.py"
    script.write_text(DEMO_SERVER, encoding="utf-8")
    (project / ".mcp.json").write_text(json.dumps({"mcpServers": {
        "demo": {"command": sys.executable, "args": [str(script)]},
        "gone": {"command": str(tmp_path / "no-such-program")},
        "remote": {"type": "http", "url": "https://example.invalid/mcp"},
        "needs-var": {"command": "${THRIFTY_TEST_UNSET_VARIABLE}/server"},
        "switched-off": {"command": sys.executable, "args": [str(script)]},
    } | ({"silent": {"command": sys.executable, "args": ["-c", "import time; time.sleep(60)"]}} if silent else {})
    }), encoding="utf-8")
    settings = project / ".claude" / "settings.local.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"disabledMcpjsonServers": ["switched-off"]}), encoding="utf-8")
    claude_json = Path(os.environ["CLAUDE_CONFIG_DIR"]) / ".claude.json"
    claude_json.parent.mkdir(parents=True, exist_ok=True)
    claude_json.write_text(json.dumps({
        "mcpServers": {"demo": {"command": "shadowed-by-the-project-scope"}, "user-only": {"command": "x"}},
        "projects": {str(project): {"mcpServers": {"gone": {"command": str(tmp_path / "local-wins")}}}},
    }), encoding="utf-8")


def test_configured_servers_come_from_every_scope_with_claude_codes_precedence(project: Path, tmp_path: Path) -> None:
    _write_settings(project, tmp_path, silent=True)
    servers = {s.name: s for s in configured_servers(project)}
    assert set(servers) == {"demo", "gone", "remote", "needs-var", "silent", "switched-off", "user-only"}
    assert servers["gone"].scope == "local" and servers["gone"].config["command"].endswith("local-wins")
    assert servers["demo"].scope == "project"
    assert servers["user-only"].scope == "user"
    assert servers["switched-off"].disabled and not servers["demo"].disabled
    assert servers["remote"].transport == "http"


@pytest.mark.anyio
async def test_other_servers_are_started_measured_or_explained_within_the_timeout(
    project: Path, tmp_path: Path
) -> None:
    _write_settings(project, tmp_path)
    entries = [e for e in configured_servers(project) if e.name != "user-only"]
    with anyio.fail_after(30):
        looks = {look.entry.name: look for look in await look_all(entries, project, 20.0)}
    demo = looks["demo"]
    assert demo.problem is None and {t.name for t in demo.tools} == {"echo", "add"}
    assert demo.instructions == "Demo server for thrifty's tests."
    assert "failed to start" in (looks["gone"].problem or "")
    assert "remote servers are not contacted" in (looks["remote"].problem or "")
    assert "THRIFTY_TEST_UNSET_VARIABLE" in (looks["needs-var"].problem or "")
    assert "disabled in settings" in (looks["switched-off"].problem or "")


@pytest.mark.anyio
async def test_a_server_that_never_answers_is_given_up_on_after_the_timeout(project: Path, tmp_path: Path) -> None:
    _write_settings(project, tmp_path, silent=True)
    (silent,) = [e for e in configured_servers(project) if e.name == "silent"]
    with anyio.fail_after(20):  # the timeout, plus the client's grace period for the process to exit
        (look,) = await look_all([silent], project, 0.5)
    assert look.problem == "did not answer within 0.5 s"


def test_footprint_all_reports_other_servers_in_json_and_in_the_table(project: Path, tmp_path: Path) -> None:
    _write_settings(project, tmp_path)
    runner = CliRunner()
    args = ["--all", "--no-hooks", "--timeout", "20", "--project", str(project)]
    as_json = runner.invoke(footprint, [*args, "--json"], catch_exceptions=False)
    assert as_json.exit_code == 0, as_json.output
    result = Footprint.model_validate(json.loads(as_json.output))
    assert [i.name for i in result.items if i.source == "mcp:demo" and i.kind == "tool"] == [
        "mcp__demo__echo", "mcp__demo__add"]
    assert result.totals["all"].deferred_tokens == result.totals["thrifty"].deferred_tokens + sum(
        total.deferred_tokens for source, total in result.totals.items() if source.startswith("mcp:"))
    assert {p.source for p in result.problems} == {"mcp:gone", "mcp:remote", "mcp:needs-var", "mcp:switched-off",
                                                    "mcp:user-only"}
    table = runner.invoke(footprint, args, catch_exceptions=False, env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert "mcp:demo" in table.output and "2 tools" in table.output
    assert "mcp:gone: not measured: local scope" in table.output
    assert "thrifty tools/list:" in table.output


def test_a_server_entry_without_a_command_is_explained_not_crashed(project: Path) -> None:
    entry = ServerEntry(name="empty", scope="user", source="x", config={"type": "stdio"})
    (look,) = anyio.run(lambda: look_all([entry], project, 5.0))
    assert look.problem == "has no command"


def test_unreadable_settings_are_reported_by_path(project: Path) -> None:
    (project / ".mcp.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(footprint, ["--all", "--no-hooks", "--project", str(project)])
    assert result.exit_code == 1
    assert ".mcp.json: not readable as JSON" in result.output
    assert "Traceback" not in result.output


def test_the_measured_server_is_the_one_the_plugin_declares() -> None:
    from thrifty.footprint.measure import SERVER_KEY

    declared = json.loads((REPO / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]
    assert list(declared) == [SERVER_KEY]
    assert declared[SERVER_KEY]["args"][1:] == ["serve", "--text-only"]  # the server footprint builds in-process


@pytest.mark.anyio
async def test_the_server_advertises_tools_alone_so_the_client_adds_no_resource_tools(project: Path) -> None:
    # Claude Code 2.1.330 lists three resource tools in every session for a server that serves resources/list.
    with anyio.fail_after(20):
        async with Client(build_server(ServerConfig(root=project, structured=False))) as client:
            capabilities = client.server_capabilities
            with pytest.raises(MCPError, match="not found"):
                await client.list_resources()
    assert capabilities.tools is not None
    assert capabilities.resources is None and capabilities.prompts is None


def test_an_sdk_that_hides_its_handlers_still_gets_a_server(caplog: pytest.LogCaptureFixture) -> None:
    from mcp.server.mcpserver import MCPServer

    from thrifty.app import _serve_tools_only

    server = MCPServer("probe")
    del server._lowlevel_server  # pyright: ignore[reportAttributeAccessIssue]  # as a later SDK might name it
    _serve_tools_only(server)
    assert "resources/list stays served" in caplog.text
