"""The pieces between the server, the hooks and the report: settings, the thresholds shared with read_many, the
summary line, and savings meeting their session through the PostToolUse hook's record."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from savings_helpers import event, run

from fixtures_gen.mcp_client import call_tool, text_of
from thrifty.cli import cli
from thrifty.guard.settings import resolve
from thrifty.read import files
from thrifty.savings import steer_limits


def test_steer_and_the_spawn_ceilings_are_settings_like_the_others(tmp_path: Path) -> None:
    (tmp_path / ".thrifty.toml").write_text('[budget]\nsteer = "enforce"\nmax_subagents = 80\n', encoding="utf-8")
    settings = resolve(tmp_path, {"CLAUDE_PLUGIN_OPTION_MAX_CONCURRENT_SUBAGENTS": "4"})
    assert (settings["steer"], settings["max_subagents"], settings["max_concurrent_subagents"]) == ("enforce", 80, 4)
    assert resolve(None, {})["steer"] == "hint"
    bad = resolve(None, {"CLAUDE_PLUGIN_OPTION_STEER": "loud"})
    assert bad["steer"] == "hint"
    assert bad.errors == ["userConfig: steer = 'loud' ignored: expected one of off, hint, enforce"]


def test_the_whole_file_limits_are_read_manys() -> None:
    assert (steer_limits.WHOLE_MAX_LINES, steer_limits.WHOLE_MAX_BYTES) == (files.WHOLE_MAX_LINES,
                                                                            files.WHOLE_MAX_BYTES)


@pytest.mark.anyio
async def test_a_thrifty_call_meets_its_session_through_the_posttooluse_record(project: Path) -> None:
    (project / "big.py").write_text("".join(f"x_{i} = {i}\n" for i in range(2000)), encoding="utf-8")
    result = await call_tool(project, "read_many", {"files": ["big.py:1-5"]},
                             meta={"claudecode/toolUseId": "toolu_meet"})
    payload = event("sess-meet", project, "mcp__plugin_thrifty_thrifty__read_many", {"files": ["big.py:1-5"]},
                    tool_use_id="toolu_meet", hook_event_name="PostToolUse",
                    tool_response=[{"type": "text", "text": text_of(result)}])
    run("post-tool-use", payload)
    out = CliRunner().invoke(cli, ["report", "savings", "--session", "sess-meet", "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert '"thrifty_calls": 1' in out.output and '"session_id": "sess-meet"' in out.output
    assert '"turns_avoided": 0' in out.output
