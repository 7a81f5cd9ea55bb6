"""The first session on a machine with no plugin venv: SessionStart builds it with pip, and the tools answer in that
same session. Slow (a real pip install from the package index)."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import E2E, READ_MANY, PluginHome, Script, reply, select, tool_use

from thrifty.launch.environment import STAMP


@pytest.mark.slow
def test_the_first_session_builds_the_venv_and_its_tools_answer_in_that_session(
    claude: str, plugin_source: Path, project: Path, tmp_path: Path
) -> None:
    home = PluginHome(claude, tmp_path / "home")
    home.install(plugin_source)
    assert not (home.data_dir / "venv").exists()
    (project / "notes.py").write_text("GREETING = 'hello'\n", encoding="utf-8")
    rig = E2E(home, project, tmp_path / "logs")
    try:
        api = rig.serve(Script.of(
            reply(tool_use("ToolSearch", query=select(READ_MANY))),
            reply(tool_use(READ_MANY, files=["notes.py"])),
            reply("It greets."),
        ))
        run = rig.run("What does notes.py say?", allowed_tools=["ToolSearch", READ_MANY], timeout=900)
    finally:
        rig.close()
    assert READ_MANY in api.requests[1].tool_names()
    result = api.requests[2].last_tool_result()
    assert result is not None and not result.is_error and "GREETING = 'hello'" in result.text
    assert run.text == "It greets."
    assert (home.data_dir / "venv" / STAMP).is_file()
    assert "building" in (home.data_dir / "setup.log").read_text(encoding="utf-8")
    assert not rig.hook_errors()
