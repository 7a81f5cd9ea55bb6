"""read_many through the real MCP client, in memory: its definition, its text, its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp.types import CallToolResult

from fixtures_gen.mcp_client import call_tool, listed_tools, text_of
from thrifty.textout import estimate_tokens

pytestmark = pytest.mark.anyio

SOURCE = "class Greeter:\n    def hello(self):\n        return 'hi'\n\n\ndef main():\n    Greeter().hello()\n"


async def call(root: Path, arguments: dict[str, object], structured: bool = False) -> CallToolResult:
    return await call_tool(root, "read_many", arguments, structured=structured)


async def test_read_many_is_listed_read_only_closed_world_and_small(project: Path) -> None:
    tool = (await listed_tools(project))["read_many"]
    assert tool.annotations is not None
    assert tool.annotations.read_only_hint is True
    assert "Read" in (tool.description or "")
    assert tool.input_schema["required"] == ["files"]
    assert tool.output_schema is None
    assert len(json.dumps(tool.model_dump(by_alias=True, exclude_none=True, mode="json"))) <= 600


async def test_a_call_returns_plain_numbered_text_for_the_model(project: Path) -> None:
    (project / "app.py").write_text(SOURCE, encoding="utf-8")
    result = await call(project, {"files": ["app.py#Greeter.hello", "app.py#main"]})
    assert not result.is_error
    assert result.structured_content is None  # the plugin runs with structured output off
    text = text_of(result)
    assert text == (
        "== app.py:2-3 of 7 Greeter.hello (method) ==\n2     def hello(self):\n3         return 'hi'\n"
        "== app.py:6-7 of 7 main (function) ==\n6 def main():\n7     Greeter().hello()"
    )


async def test_structured_content_carries_the_per_item_outcome_when_enabled(project: Path) -> None:
    (project / "app.py").write_text(SOURCE, encoding="utf-8")
    result = await call(project, {"files": ["app.py:1-2", "missing.py"]}, structured=True)
    assert result.structured_content is not None
    items = result.structured_content["items"]
    assert [(i["item"], i["status"], i["start"], i["end"], i["total_lines"]) for i in items] == [
        ("app.py:1-2", "ok", 1, 2, 7),
        ("missing.py", "error", None, None, None),
    ]
    assert "text" not in result.structured_content


async def test_a_tight_budget_is_respected_and_says_what_was_omitted(project: Path) -> None:
    (project / "long.py").write_text("".join(f"x{n} = {n}\n" for n in range(3000)), encoding="utf-8")
    result = await call(project, {"files": ["long.py:1-3000"], "max_tokens": 200})
    text = text_of(result)
    assert estimate_tokens(text) <= 200
    assert "omitted" in text and "ask for long.py:" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"files": ["a.py"], "max_tokens": 10}, "max_tokens must be between 200 and 60000, not 10"),
        ({"files": ["a.py"], "max_tokens": 90000}, "max_tokens must be between 200 and 60000, not 90000"),
        ({"files": []}, "files is empty: give at least one path, path:START-END or path#Name"),
    ],
)
async def test_arguments_out_of_range_are_rejected_with_a_message_naming_them(
    project: Path, arguments: dict[str, object], message: str
) -> None:
    result = await call(project, arguments)
    assert result.is_error
    assert message in text_of(result)


async def test_paths_outside_the_root_are_refused_while_the_other_items_are_read(project: Path) -> None:
    (project / "app.py").write_text(SOURCE, encoding="utf-8")
    result = await call(project, {"files": ["../../etc/passwd", "app.py:1-1"]})
    text = text_of(result)
    assert not result.is_error
    assert "outside the project root" in text and "root:" not in text
    assert "1 class Greeter:" in text
