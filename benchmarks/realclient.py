"""Bench section `realclient`: the real Claude Code 2.1.330 against a scripted model (tests/e2e's harness).

1. Cost A/B. One task: find and read 8 definitions spread over 6 files of real code the tests do not use (the
   standard library's `email` package, copied into a project), plus one search. Native: one Grep, then one Read per
   file, one call per turn, as models typically do. thrifty: one ToolSearch, then read_many (the 8 definitions) and
   grep_and_read (the search). The scripted server computes every answer's usage from the request it received
   (harness.usage_model: cache reads = the prefix shared with that conversation's previous request, cache writes =
   the rest up to the request's cache breakpoint, 4 bytes per token); cost and turns come from thrifty's own
   hook-fed ledger.
2. Always-on bytes. The same opening (a ToolSearch that waits for the MCP server, so its tools are listed) in a
   home with thrifty installed and in one without; the difference of the main thread's second request and of a
   general-purpose subagent's first request, item by item, against `thrifty footprint`'s estimate.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import REPO, Figure

_E2E = str(REPO / "tests" / "e2e")
if _E2E not in sys.path:
    sys.path.append(_E2E)

from harness import (  # noqa: E402
    E2E,
    GREP_AND_READ,
    READ_MANY,
    ApiRequest,
    PluginHome,
    Script,
    ScriptedApi,
    copy_checkout,
    reply,
    select,
    tool_use,
)
from harness.ledger import hook_fed  # noqa: E402
from harness.usage_model import PrefixCacheUsage  # noqa: E402

from fixtures_gen.claude_code import CLAUDE_VERSION, find_claude, make_stamped_venv  # noqa: E402
from thrifty.footprint.measure import INSTRUCTIONS_HEADER  # noqa: E402

SECTION = "realclient"
# (file in email/, definition) : 8 definitions over 6 files
DEFINITIONS = [("utils.py", "parseaddr"), ("utils.py", "formataddr"), ("utils.py", "getaddresses"),
               ("header.py", "decode_header"), ("parser.py", "Parser"), ("feedparser.py", "FeedParser"),
               ("quoprimime.py", "header_encode"), ("base64mime.py", "body_encode")]
SEARCH = r"def (decode|encode)_"
PROMPT = "Show me parseaddr, formataddr, getaddresses, decode_header, Parser, FeedParser, header_encode, body_encode."
WAIT_FOR_SERVER = select("NoSuchTool")  # ToolSearch waits for connecting MCP servers, then finds nothing
FOOTPRINT_TOLERANCE = 0.10
ALWAYS_ON_LIMIT = 1050  # bytes (issue 13)


def run(quick: bool) -> list[Figure]:
    claude = find_claude()
    if claude is None:
        raise RuntimeError(f"Claude Code {CLAUDE_VERSION} not found on PATH or in .tools; install it with "
                           f"`npm install --prefix .tools @anthropic-ai/claude-code@{CLAUDE_VERSION}`")
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-realclient-") as tmp:
        root = Path(tmp)
        source = copy_checkout(root / "source")
        venv = make_stamped_venv(root / "venv")
        return [*cost_ab(claude, source, venv, root), *always_on(claude, source, venv, root)]


# --- 1. cost A/B -----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    cost_usd: float
    turns: int
    client_cost_usd: float


def _email_project(project: Path) -> None:
    import email

    package = Path(email.__file__).parent
    for name in sorted({f for f, _ in DEFINITIONS}):
        (project / "email").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / name, project / "email" / name)


def _rig(claude: str, source: Path, venv: Path, where: Path, plugin: bool = True) -> E2E:
    home = PluginHome(claude, where / "home")
    home.home.mkdir(parents=True)
    if plugin:
        home.install(source)
        home.link_venv(venv)
    project = (where / "project").resolve()
    project.mkdir(parents=True)
    return E2E(home, project, where / "logs")


def _session(rig: E2E, script: Script, tools: list[str]) -> Outcome:
    try:
        rig.serve(script)
        run = rig.run(PROMPT, allowed_tools=tools)
    finally:
        rig.close()
    totals = hook_fed(rig.home).report("sessions", run.session_id).totals
    return Outcome(float(totals.cost_usd or 0.0), int(totals.turns), run.total_cost_usd)


def cost_ab(claude: str, source: Path, venv: Path, root: Path) -> list[Figure]:
    native_rig = _rig(claude, source, venv, root / "native")
    _email_project(native_rig.cwd)
    files = sorted({f for f, _ in DEFINITIONS})
    native = _session(native_rig, Script.of(
        reply(tool_use("Grep", pattern=SEARCH, path="email", output_mode="content", **{"-n": True})),
        *[reply(tool_use("Read", file_path=str(native_rig.cwd / "email" / f))) for f in files],
        reply("Here they are."), usage=PrefixCacheUsage()), ["Grep", "Read"])
    thrifty_rig = _rig(claude, source, venv, root / "thrifty")
    _email_project(thrifty_rig.cwd)
    thrifty = _session(thrifty_rig, Script.of(
        reply(tool_use("ToolSearch", query=select(READ_MANY) + "," + GREP_AND_READ)),
        reply(tool_use(READ_MANY, files=[f"email/{f}#{d}" for f, d in DEFINITIONS])),
        reply(tool_use(GREP_AND_READ, patterns=[SEARCH], paths=["email"])),
        reply("Here they are."), usage=PrefixCacheUsage()), ["ToolSearch", READ_MANY, GREP_AND_READ])
    note = (f"8 definitions in 6 files of the stdlib email package + 1 search; ledger cost (Claude Code's own: "
            f"thrifty ${thrifty.client_cost_usd:.4f}, native ${native.client_cost_usd:.4f})")
    return [
        Figure.compare(SECTION, "A/B cost, thrifty way", thrifty.cost_usd, "USD", "native Read/Grep way",
                       native.cost_usd, at_most=1.0, note=note),
        Figure.compare(SECTION, "A/B turns, thrifty way", thrifty.turns, "requests", "native Read/Grep way",
                       native.turns, at_most=1.0),
    ]


# --- 2. always-on bytes ----------------------------------------------------------------------------------------
def opening(rig: E2E) -> ScriptedApi:
    """Main: a ToolSearch that waits for the server, then a general-purpose subagent, then the end."""
    api = rig.serve(Script.of(
        reply(tool_use("ToolSearch", query=WAIT_FOR_SERVER)),
        reply(tool_use("Agent", description="probe", prompt="FOOTPRINT: reply done", subagent_type="general-purpose",
                       run_in_background=False)),
        reply("ok"),
        subagents={"FOOTPRINT": [reply("done")]}))
    try:
        rig.run("Hello.", allowed_tools=["ToolSearch", "Agent"])
    finally:
        rig.close()
    return api


def plugin_items(request: ApiRequest) -> dict[str, int]:
    """Bytes of each thrifty item in the request, as Claude Code lays it out (one listing line per item)."""
    text = "\n\n".join(_texts(request.body))  # a blank line between blocks ends a multi-line item
    items: dict[str, int] = {}
    for line in text.splitlines():
        if re.match(r"- thrifty:[\w-]+: ", line):
            items[line[2:].split(": ", 1)[0]] = len(line.encode()) + 1
        elif line.startswith("mcp__plugin_thrifty_thrifty__"):
            items[line] = len(line.encode()) + 1
    for tool in request.body.get("tools") or []:  # an always-loaded tool (read_many) comes whole, schema and all
        name = str(tool.get("name", ""))
        if name.startswith("mcp__plugin_thrifty_thrifty__"):
            sent = {key: tool[key] for key in ("name", "description", "input_schema") if key in tool}
            items[name] = len(json.dumps(sent, separators=(",", ":"), ensure_ascii=False).encode())
    instructions = re.search(r"## plugin:thrifty:thrifty\n[^\n]+(?:\n[^\n#<][^\n]*)*", text)
    if instructions:
        items["thrifty (instructions)"] = len(instructions[0].encode()) + 2  # and the blank line after it
        if text.find(INSTRUCTIONS_HEADER) + len(INSTRUCTIONS_HEADER) == instructions.start():  # thrifty's is first
            items["(instructions header)"] = len(INSTRUCTIONS_HEADER.encode())
    return items


def _texts(value: Any) -> list[str]:
    """Every text the model reads in a request body: `text` fields and string contents, in order."""
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if not isinstance(value, dict):
        return []
    found = [value["text"]] if isinstance(value.get("text"), str) else []
    if isinstance(value.get("content"), str):
        found.append(value["content"])
    return found + [t for k, v in value.items() if k not in ("text", "input_schema") for t in _texts(v)]


def _wire(request: ApiRequest) -> int:
    """The request body's size as sent (compact JSON; what the API receives)."""
    return len(json.dumps(request.body, separators=(",", ":"), ensure_ascii=False).encode())


def footprint_estimate(rig: E2E, source: Path) -> tuple[int, dict[str, int]]:
    """`thrifty footprint`'s per-session estimate (tool search on) for the installed plugin, its hooks run."""
    import anyio

    from thrifty.footprint.measure import PLUGIN_SOURCE, measure

    footprint = anyio.run(lambda: measure(source, rig.cwd, rig.home.data_dir, hooks=True))
    own = [i for i in footprint.items if i.source == PLUGIN_SOURCE]
    return sum(i.deferred_chars for i in own), {i.name: i.deferred_chars for i in own}


def always_on(claude: str, source: Path, venv: Path, root: Path) -> list[Figure]:
    plugin_rig = _rig(claude, source, venv, root / "with-plugin")
    with_plugin = opening(plugin_rig)
    without = opening(_rig(claude, source, venv, root / "without-plugin", plugin=False))
    estimate, _ = footprint_estimate(plugin_rig, source)
    figures = []
    for name, conversation, index in (("main thread, 1st request", "main", 0),
                                      ("main thread, 2nd request (server connected)", "main", 1),
                                      ("general-purpose subagent, 1st request", "FOOTPRINT", 0)):
        request = with_plugin.conversation_requests(conversation)[index]
        added = _wire(request) - _wire(without.conversation_requests(conversation)[index])
        items = plugin_items(request)
        listing = ", ".join(f"{item} {n}" for item, n in sorted(items.items())) or "none"
        note = f"thrifty's own items in it ({sum(items.values())} bytes): {listing}"
        if conversation == "main":  # the budget: what every session's main thread pays from its start
            figures.append(Figure.compare(SECTION, f"{name}: bytes thrifty adds", added, "bytes", "issue limit",
                                          ALWAYS_ON_LIMIT, at_most=1.0, note=note))
        if index == 1:  # every item footprint counts is in the request now: the estimate must match what is added
            agree = Figure.compare(SECTION, "thrifty footprint (tool search on)", estimate, "chars",
                                   f"bytes added to the {name}", added)
            low, high = 1 - FOOTPRINT_TOLERANCE, 1 + FOOTPRINT_TOLERANCE
            agree.ok, agree.target = low <= agree.ratio <= high, f"{low:g}-{high:g}x"
            figures.append(agree)
        if conversation != "main":
            figures.append(Figure.compare(SECTION, f"{name}: bytes thrifty adds", added, "bytes",
                                          "thrifty footprint (tool search on)", estimate, note=note))
    return figures
