"""The server over a real stdio pipe, started the way the plugin's .mcp.json starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from thrifty import bootstrap

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.anyio


def _system_python() -> str:
    """The python3 that bin/thrifty will run (what a user's PATH gives), as an absolute path."""
    return subprocess.run(
        ["python3", "-c", "import sys; print(sys.executable)"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _fake_plugin_venv(data: Path) -> None:
    """A venv under the data dir made of links to the test venv, stamped as current, so no 20 s pip install runs.

    Python finds pyvenv.cfg beside the interpreter it was invoked as, so linking bin/python, lib/ and pyvenv.cfg
    gives an interpreter that sees the test venv's site-packages.
    """
    venv_dir = data / "venv"
    (venv_dir / "bin").mkdir(parents=True)
    test_venv = Path(sys.prefix)
    (venv_dir / "bin" / "python").symlink_to(Path(sys.executable))
    (venv_dir / "lib").symlink_to(test_venv / "lib")
    (venv_dir / "pyvenv.cfg").symlink_to(test_venv / "pyvenv.cfg")
    stamp = subprocess.run(
        [_system_python(), "-c", "import sys; from thrifty import bootstrap as b; "
         "print(b.fingerprint(b.dependencies(b.plugin_root())))"],
        capture_output=True, text=True, check=True, env=dict(os.environ, PYTHONPATH=str(REPO / "server")),
    ).stdout.strip()
    (venv_dir / bootstrap.STAMP).write_text(stamp + "\n", encoding="utf-8")


def _mcp_json_server(project: Path, data: Path) -> StdioServerParameters:
    entry = json.loads((REPO / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["thrifty"]
    args = [arg.replace("${CLAUDE_PLUGIN_ROOT}", str(REPO)) for arg in entry["args"]]
    env = dict(os.environ, CLAUDE_PLUGIN_ROOT=str(REPO), CLAUDE_PLUGIN_DATA=str(data), CLAUDE_PROJECT_DIR=str(project))
    env.pop("THRIFTY_DATA_DIR", None)
    return StdioServerParameters(command=entry["command"], args=args, env=env, cwd=str(project))


async def test_server_started_as_mcp_json_says_lists_its_tools_over_stdio(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "plugin-data"
    _fake_plugin_venv(data)
    with anyio.fail_after(60):  # cold interpreter start and imports
        async with Client(_mcp_json_server(project, data)) as client:
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
    text = result.content[0].text  # type: ignore[union-attr]
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
