"""Skills, agents and the cost command: spec limits, links, tool names, prices, and the report they inject."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client
from plugin_helpers import REPO

from thrifty.app import ServerConfig, build_server
from thrifty.footprint.measure import tool_name
from thrifty.footprint.plugin_files import Component, components
from thrifty.ledger.pricing import PRICES, normalize_model

ALL = components(REPO)
SKILLS = [c for c in ALL if c.kind == "skill"]
AGENTS = [c for c in ALL if c.kind == "agent"]
COMMANDS = [c for c in ALL if c.kind == "command"]
SPEC_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK = re.compile(r"\]\(([^)#\s]+)\)")


def _short_name(component: Component) -> str:
    return component.name.split(":", 1)[1]


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text.strip()))


def test_the_plugin_ships_two_skills_two_haiku_agents_and_the_cost_command() -> None:
    # Every listed skill costs its line in every session, so the planning topics share one skill and one line.
    assert {_short_name(c) for c in SKILLS} == {"cost-plan", "cost-review"}
    assert {_short_name(c) for c in AGENTS} == {"scout", "checker"}
    assert "thrifty:cost" in {c.name for c in COMMANDS}


# The decision each planning topic is for, as its trigger word in cost-plan's description, and its reference page.
PLAN_TOPICS = {"fan-out.md": "subagents", "model-routing.md": "model", "cache-friendly-prompts.md": "CLAUDE.md",
               "batch-lane.md": "can wait"}


def test_cost_plan_names_every_decision_it_covers_and_routes_each_to_its_page() -> None:
    (plan,) = [c for c in SKILLS if c.name == "thrifty:cost-plan"]
    for page, trigger in PLAN_TOPICS.items():
        assert trigger in plan.description, f"the listing line no longer says when to use {page}"
        assert f"(references/{page})" in plan.body
    assert "(references/batch-reads.md)" in plan.body  # reads are triggered by the server's instructions instead


@pytest.mark.parametrize("component", SKILLS + AGENTS + COMMANDS, ids=lambda c: c.path)
def test_names_and_descriptions_stay_within_the_agent_skills_limits(component: Component) -> None:
    name = _short_name(component)
    assert len(name) <= 64 and SPEC_NAME.match(name), f"{component.path}: name {name!r}"
    assert "claude" not in name and "anthropic" not in name
    assert 0 < len(component.description) <= 1024
    assert "<" not in component.description and ">" not in component.description
    # The listing of every installed skill shares about 1% of the context: one or two short sentences.
    assert 1 <= _sentences(component.description) <= 2, component.description
    assert len(component.description) <= 200, f"{component.path}: {len(component.description)} chars"


@pytest.mark.parametrize("skill", SKILLS, ids=lambda c: c.path)
def test_skill_bodies_are_concise_and_every_reference_they_link_exists(skill: Component) -> None:
    folder = (REPO / skill.path).parent
    assert len(skill.body.splitlines()) <= 80, "keep SKILL.md short; depth goes to references/"
    links = [link for link in LINK.findall(skill.body) if not link.startswith("http")]
    assert links, f"{skill.path} points to no reference"
    for link in links:
        assert (folder / link).is_file(), f"{skill.path} links to missing {link}"
    linked = {(folder / link).resolve() for link in links}
    for reference in (folder / "references").glob("*.md"):
        assert reference.resolve() in linked, f"{reference} is not linked from {skill.path}, so it is never read"


@pytest.mark.parametrize("agent", AGENTS, ids=lambda c: c.path)
def test_agents_run_on_haiku_with_a_tight_list_of_existing_tools(agent: Component) -> None:
    assert agent.fields["model"] == "haiku"
    tools = [t.strip() for t in str(agent.fields["tools"]).split(",")]
    assert 1 <= len(tools) <= 4
    served = anyio.run(_served_tool_names)
    for tool in tools:
        assert tool in served or tool in {"Glob", "Read", "Grep"}, f"{agent.path}: unknown tool {tool}"
    assert any(tool.startswith("mcp__plugin_thrifty_thrifty__") for tool in tools)
    assert "Use " in agent.description, "the description must tell the main agent when to use it"


async def _served_tool_names() -> set[str]:
    async with Client(build_server(ServerConfig(root=REPO, structured=False))) as client:
        return {tool_name("thrifty", tool.name, plugin="thrifty") for tool in (await client.list_tools()).tools}


def test_plugin_tool_names_follow_claude_codes_naming_rule() -> None:
    assert tool_name("thrifty", "read_many", plugin="thrifty") == "mcp__plugin_thrifty_thrifty__read_many"
    assert tool_name("my.server", "do-it", plugin="a b") == "mcp__plugin_a_b_my_server__do-it"
    assert tool_name("github", "get_issue") == "mcp__github__get_issue"


def test_skills_quote_the_same_prices_as_the_ledger() -> None:
    table_row = re.compile(r"^\|[^|]+\|\s*`(claude-[a-z0-9-]+)`\s*\|" + r"\s*([\d.]+)\s*\|" * 5)
    inline = re.compile(r"`(claude-[a-z0-9-]+)`\)?,? \$([\d.]+) / \$([\d.]+)")
    rows = inlines = 0
    for path in sorted((REPO / "skills").rglob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := table_row.match(line):
                price = PRICES[normalize_model(match[1]).canonical or match[1]]
                quoted = [float(x) for x in match.groups()[1:]]
                actual = [price.input, price.cache_write_5m, price.cache_write_1h, price.cache_read, price.output]
                assert quoted == pytest.approx(actual), f"{path.name}: {line}"
                rows += 1
            for model, input_price, output_price in inline.findall(line):
                price = PRICES[normalize_model(model).canonical or model]
                assert (float(input_price), float(output_price)) == (price.input, price.output), f"{path.name}: {line}"
                inlines += 1
    assert rows >= 10 and inlines >= 6, (rows, inlines)


def test_cost_command_is_user_only_and_injects_the_session_summary() -> None:
    (cost,) = [c for c in COMMANDS if c.name == "thrifty:cost"]
    assert cost.fields["disable-model-invocation"] == "true"
    assert cost.fields["allowed-tools"] == "Bash(thrifty report:*)"
    assert "!`thrifty report summary --plain --session ${CLAUDE_SESSION_ID}`" in cost.body
    from thrifty.commands.report import VIEWS, report

    assert "summary" in VIEWS
    assert "--session" in {opt for param in report.params for opt in param.opts}


def test_the_injected_report_command_prints_this_sessions_summary(tmp_path: Path) -> None:
    from fixtures_gen.transcripts import realistic_session

    projects = Path(os.environ["CLAUDE_CONFIG_DIR"]) / "projects"
    session = realistic_session(projects, seed=5, turns=6)
    (cost,) = [c for c in COMMANDS if c.name == "thrifty:cost"]
    command = re.search(r"!`thrifty (.+?)`", cost.body)
    assert command is not None
    argv = command[1].replace("${CLAUDE_SESSION_ID}", session.session_id).split()
    run = subprocess.run([sys.executable, "-m", "thrifty", *argv], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, COLUMNS="100"))
    assert run.returncode == 0, run.stderr
    assert session.session_id in run.stdout
    assert "agents:" in run.stdout and "models:" in run.stdout and "tools (result tok/calls):" in run.stdout
