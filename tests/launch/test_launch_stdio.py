"""The server over a real stdio pipe, started the way the plugin's .mcp.json starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from gated_build import link_venv
from launch_helpers import REPO, mcp_json_server, stamp_for_system_python
from mcp import Client, StdioServerParameters

from fixtures_gen.mcp_client import text_of
from thrifty.launch import environment

pytestmark = pytest.mark.anyio


async def test_server_started_as_mcp_json_says_lists_its_tools_over_stdio(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "plugin-data"
    link_venv(data / "venv")  # the test venv, stamped as current: no pip install
    (data / "venv" / environment.STAMP).write_text(stamp_for_system_python() + "\n", encoding="utf-8")
    with anyio.fail_after(60):  # cold interpreter start and imports
        async with Client(mcp_json_server(project, data)) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
    assert {"read_many", "grep_and_read", "run_checks"} <= names


async def test_stdio_server_reads_inside_the_project_and_refuses_outside(project: Path, tmp_path: Path) -> None:
    (project / "hello.py").write_text("def greet():\n    return 'hi'\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("do not read\n", encoding="utf-8")
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "thrifty", "serve", "--root", str(project), "--text-only"],
        cwd=str(project),
    )
    with anyio.fail_after(60):
        async with Client(params) as client:
            result = await client.call_tool("read_many", {"files": ["hello.py#greet", "../secret.txt"]})
    text = text_of(result)
    assert "return 'hi'" in text
    assert "do not read" not in text
    assert "../secret.txt" in text and "outside" in text
    assert result.structured_content is None  # --text-only: Claude Code would show JSON instead of the text


def test_launcher_reports_a_broken_environment_without_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "unwritable"
    data.write_text("a file where the data dir should be", encoding="utf-8")
    run = subprocess.run(
        ["sh", str(REPO / "bin" / "thrifty"), "--version"], capture_output=True, text=True, timeout=60,
        env=dict(os.environ, THRIFTY_DATA_DIR=str(data)),
    )
    assert run.returncode == 1
    assert "could not prepare its environment" in run.stderr
    assert "Traceback" not in run.stderr
