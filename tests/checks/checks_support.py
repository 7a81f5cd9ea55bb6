"""Helpers for run_checks tests: sample sources, and the tool called through the real MCP client.

Checks run real pytest and ruff. They resolve through the PATH that thrifty.checks.env builds, which puts the bin dir
of the interpreter running these tests (the dev venv, holding pytest and ruff) before the inherited PATH.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures_gen.mcp_client import call_tool, text_of


@dataclass
class Call:
    text: str
    structured: dict[str, Any] | None
    is_error: bool
    progress: list[tuple[float, float | None, str | None]]

    def check(self, name: str) -> dict[str, Any]:
        assert self.structured is not None
        return next(c for c in self.structured["checks"] if c["name"] == name)


async def call_run_checks(root: Path, timeout: float = 60, **arguments: Any) -> Call:
    events: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        events.append((progress, total, message))

    result = await call_tool(root, "run_checks", arguments, structured=True, bound_s=timeout,
                             progress_callback=on_progress)
    text = text_of(result)
    return Call(text, result.structured_content, bool(result.is_error), events)


PASSING_TESTS = """
    def test_one():
        assert 1 + 1 == 2

    def test_two():
        assert "a".upper() == "A"
"""

FAILING_TESTS = """
    import json


    def parse(s):
        return json.loads(s)


    def test_ok():
        assert True


    def test_sum():
        total = sum([1, 2])
        assert total == 4


    def test_json():
        parse("{broken")
"""

LINT_ERRORS = """
    import os
    import sys


    def f():
        return 1
"""
