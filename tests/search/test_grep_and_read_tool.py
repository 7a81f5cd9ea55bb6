"""grep_and_read through the in-memory MCP client: schema, text, errors, refusals, budget and continuation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp.types import CallToolResult

from fixtures_gen.mcp_client import call_tool, listed_tools, text_of
from thrifty.textout import estimate_tokens

pytestmark = pytest.mark.anyio


async def _call(root: Path, structured: bool = False, **arguments: object) -> CallToolResult:
    return await call_tool(root, "grep_and_read", arguments, structured=structured)


async def test_the_tool_is_listed_read_only_closed_world_with_a_short_definition(project: Path) -> None:
    tool = (await listed_tools(project))["grep_and_read"]
    assert tool.annotations is not None
    assert tool.annotations.read_only_hint is True
    assert "Grep" in (tool.description or "") and "scope=symbol" in (tool.description or "")
    size = len(json.dumps(tool.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":")))
    assert size < 750  # all tools together must stay within 1,500 bytes
    assert set(tool.input_schema["properties"]) == {"patterns", "paths", "context", "scope", "offset", "max_tokens"}


async def test_a_call_returns_plain_text_with_matches_in_context(project: Path, write) -> None:
    write("src/app.py", "import os\n\n\ndef main():\n    return os.getcwd()\n")
    result = await _call(project, patterns=["getcwd", "^import"], context=0)
    assert not result.is_error
    assert result.structured_content is None
    assert text_of(result).splitlines() == [
        "patterns: p1=`getcwd` p2=`^import`",
        "== src/app.py:1-5 of 5 p1:5 p2:1 ==",
        "1:import os",
        "--",
        "5:    return os.getcwd()",
    ]


async def test_structured_content_comes_alongside_when_enabled(project: Path, write) -> None:
    write("a.py", "def f():\n    return 1\n")
    result = await _call(project, structured=True, patterns=["return"], scope="symbol")
    assert result.structured_content is not None
    [file] = result.structured_content["files"]
    assert file["path"] == "a.py"
    assert file["windows"] == [{"start": 1, "end": 2, "matches": [2], "definitions": ["function f 1-2"]}]


async def test_invalid_regexes_are_named_each_and_the_valid_ones_still_searched(project: Path, write) -> None:
    write("a.py", "fine\n")
    result = await _call(project, patterns=["(unclosed", "fine", "a{2,1}"])
    assert not result.is_error
    text = text_of(result)
    assert "pattern 1 `(unclosed`: unclosed group" in text
    assert "pattern 3 `a{2,1}`" in text
    assert "1:fine" in text
    result = await _call(project, patterns=["(unclosed", "a{2,1}"])
    assert result.is_error
    assert "pattern 2 `a{2,1}`" in text_of(result)


async def test_outside_paths_are_refused_by_name_and_the_rest_still_runs(project: Path, write) -> None:
    write("a.py", "needle\n")
    result = await _call(project, patterns=["needle"], paths=["/etc", "a.py"])
    assert not result.is_error
    text = text_of(result)
    assert "== a.py:1-1 of 1 ==" in text
    assert "/etc: outside the project root" in text


async def test_a_tight_budget_is_respected_and_the_offset_continues(project: Path, write) -> None:
    for i in range(30):
        write(f"m{i:02}.py", "".join(f"needle_{j} = {j}\n" for j in range(20)))
    first = await _call(project, patterns=["needle_"], max_tokens=500)
    text = text_of(first)
    assert estimate_tokens(text) <= 500
    assert "omitted (max_tokens reached)" in text
    offset = int(text.rsplit("offset=", 1)[1].split(",")[0])
    second = await _call(project, patterns=["needle_"], max_tokens=500, offset=offset)
    first_files = [line for line in text.splitlines() if line.startswith("== ")]
    second_files = [line for line in text_of(second).splitlines() if line.startswith("== ")]
    assert second_files and not set(first_files) & set(second_files)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_tokens": 10}, "max_tokens must be between 200 and 60000, not 10"),
        ({"max_tokens": 60001}, "max_tokens must be between 200 and 60000, not 60001"),
        ({"context": -1}, "cannot be negative"),
        ({"offset": -5}, "cannot be negative"),
        ({"paths": []}, "paths is empty"),
        ({"patterns": []}, "patterns is empty"),
    ],
)
async def test_out_of_range_arguments_get_a_clear_error(project: Path, arguments: dict, message: str) -> None:
    result = await _call(project, **{"patterns": ["x"], **arguments})
    assert result.is_error
    assert message in text_of(result)
