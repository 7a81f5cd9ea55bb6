"""The server measures each thrifty call's native cost as it answers, keyed by the tool_use id Claude Code sends."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from fixtures_gen.mcp_client import call_tool, text_of
from thrifty.paths import ledger_path
from thrifty.savings.native import BASH_INLINE_CHARS, READ_CAP_TOKENS, cat_n_chars, digits_up_to, read_tokens, tokens

pytestmark = pytest.mark.anyio


def big_module(lines: int) -> str:
    """A Python module of about `lines` lines: many small functions, one of them `target`."""
    out = []
    n = 0
    while len(out) < lines - 4:
        out += [f"def helper_{n}(value):", f"    return value * {n} + len('padding text {n}')", ""]
        n += 1
    out += ["def target(x):", "    return x + 1", ""]
    return "\n".join(out[:lines]) + "\n"


def savings_rows() -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(ledger_path())
    try:
        return conn.execute(
            "SELECT tool_use_id, tool, tokens_returned, tokens_native, native_calls, paths FROM savings").fetchall()
    finally:
        conn.close()


def test_digits_and_cat_n_size_match_a_numbered_rendering() -> None:
    for n in (0, 1, 9, 10, 99, 100, 3000):
        assert digits_up_to(n) == sum(len(str(i)) for i in range(1, n + 1))
    text = "a\nbb\n\nccc\n" * 300
    lines = text.splitlines()
    rendered = "".join(f"{i}\t{line}\n" for i, line in enumerate(lines, 1))
    assert cat_n_chars(len(text.encode()), len(lines)) == len(rendered)
    assert read_tokens(10**9, 10**7) == READ_CAP_TOKENS


async def test_read_many_of_one_definition_records_the_whole_file_as_avoided(project: Path) -> None:
    source = big_module(3000)
    (project / "big.py").write_text(source, encoding="utf-8")
    result = await call_tool(project, "read_many", {"files": ["big.py#target"]},
                             meta={"claudecode/toolUseId": "toolu_read_1"})
    assert not result.is_error
    text = text_of(result)
    [(tool_use_id, tool, returned, native, calls, paths)] = savings_rows()
    whole = tokens(sum(len(f"{i}\t{line}\n") for i, line in enumerate(source.splitlines(), 1)))
    assert (tool_use_id, tool, calls, paths) == ("toolu_read_1", "read_many", 1, '["big.py"]')
    assert returned == tokens(len(text))
    assert native == whole
    assert native - returned >= 0.9 * whole


async def test_grep_and_read_counts_a_listing_and_a_read_per_file_shown(project: Path) -> None:
    for name in ("a.py", "b.py"):
        (project / name).write_text(big_module(200), encoding="utf-8")
    result = await call_tool(project, "grep_and_read", {"patterns": ["def target"]},
                             meta={"claudecode/toolUseId": "toolu_grep_1"})
    assert not result.is_error
    [(_, tool, _, native, calls, paths)] = savings_rows()
    size = len(big_module(200).encode())
    assert (tool, calls, sorted(json.loads(str(paths)))) == ("grep_and_read", 3, ["a.py", "b.py"])
    assert native == 2 * read_tokens(size, 200) + tokens(len("a.py\nb.py\n"))


async def test_a_call_without_a_tool_use_id_records_nothing(project: Path) -> None:
    (project / "a.py").write_text("x = 1\n", encoding="utf-8")
    result = await call_tool(project, "read_many", {"files": ["a.py"]})
    assert not result.is_error
    assert not ledger_path().exists() or savings_rows() == []


async def test_run_checks_counts_each_check_run_through_bash_with_its_whole_output(project: Path) -> None:
    script = "import sys\nfor i in range(3000):\n    print(f'line {i} of a noisy but passing check')\n"
    (project / "noisy.py").write_text(script, encoding="utf-8")
    (project / ".thrifty.toml").write_text(
        f'[checks]\nnoisy = ["{sys.executable}", "noisy.py"]\nquiet = ["{sys.executable}", "-c", "pass"]\n',
        encoding="utf-8")
    result = await call_tool(project, "run_checks", {}, meta={"claudecode/toolUseId": "toolu_checks_1"})
    assert not result.is_error, result.content
    [(_, tool, returned, native, calls, _)] = savings_rows()
    noisy_bytes = sum(len(f"line {i} of a noisy but passing check\n") for i in range(3000))
    assert (tool, calls) == ("run_checks", 2)
    assert native == tokens(min(noisy_bytes, BASH_INLINE_CHARS))
    assert returned < native / 10
