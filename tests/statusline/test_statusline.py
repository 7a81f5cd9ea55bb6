"""`thrifty statusline`, run as Claude Code runs it: a fresh bare python3, the statusLine JSON on stdin, one line out.
Figures are checked against `thrifty report --json` for the same session and day."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fixtures_gen.hooks import HOOK_TIMEOUT_S, base_python, hook_command, hook_env, statusline_command
from fixtures_gen.transcripts import Session, realistic_session
from thrifty.cli import cli
from thrifty.money import usd
from thrifty.paths import data_dir, ledger_path
from thrifty.statusline.__main__ import MARKER

REPO = Path(__file__).resolve().parents[2]


def event(session: Session, cwd: Path | None = None) -> dict[str, Any]:
    """What Claude Code sends a status line command (the fields thrifty reads, and some it ignores)."""
    where = str(cwd or "/home/dev/project")
    return {"hook_event_name": "Status", "session_id": session.session_id,
            "transcript_path": str(session.main.path), "cwd": where,
            "model": {"id": "claude-sonnet-4-6", "display_name": "Sonnet"},
            "workspace": {"current_dir": where, "project_dir": where}, "version": "2.1.330",
            "cost": {"total_cost_usd": 0.01}}


def statusline(payload: bytes | str | dict[str, Any], options: dict[str, object] | None = None,
               command: list[str] | None = None) -> str:
    data = json.dumps(payload).encode() if isinstance(payload, dict) else (
        payload.encode() if isinstance(payload, str) else payload)
    env = hook_env(options)
    env["NO_COLOR"] = "1"
    done = subprocess.run(command or statusline_command(), input=data, capture_output=True,
                          env=env, timeout=HOOK_TIMEOUT_S, check=False)
    assert done.returncode == 0 and done.stderr == b"", done.stderr
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 1
    return lines[0]


def report(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["report", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def today_sessions(projects: Path) -> tuple[Session, Session]:
    """Two sessions today and one three days ago; the others' Stop hooks have recorded them, as they would have."""
    now = datetime.now(UTC)
    start = max(now.astimezone().replace(hour=0, minute=5, second=0, microsecond=0), now - timedelta(hours=2))
    mine = realistic_session(projects, seed=31, turns=10, subagents=2, start=start)
    other = realistic_session(projects, seed=32, turns=6, subagents=0, start=start)
    old = realistic_session(projects, seed=33, turns=6, subagents=1, start=start - timedelta(days=3))
    for session in (other, old):
        stop = {"session_id": session.session_id, "transcript_path": str(session.main.path), "cwd": "/tmp",
                "hook_event_name": "Stop", "stop_hook_active": False}
        subprocess.run(hook_command("stop"), input=json.dumps(stop).encode(), capture_output=True, check=True,
                       env=hook_env(), timeout=HOOK_TIMEOUT_S)
    return mine, other


def test_line_has_the_session_with_its_subagents_today_and_the_cache_hit_ratio(projects: Path) -> None:
    mine, _ = today_sessions(projects)
    line = statusline(event(mine))
    session = next(s for s in report("sessions")["sessions"] if s["session_id"] == mine.session_id)
    agents = report("agents", "--session", mine.session_id)["agents"]
    subagents = sum(a["cost_usd"] for a in agents if a["agent_id"] != "main")
    days = report("daily")["daily"]
    today = next(d for d in days if d["date"] == datetime.now().astimezone().date().isoformat())
    assert line == (f"thrifty {usd(session['cost_usd'])} (subagents {usd(subagents)}) · "
                    f"today {usd(today['cost_usd'])} · cache {session['cache_hit_ratio']:.0%}")


def test_it_reads_the_new_lines_of_the_session_and_its_subagents_itself(projects: Path) -> None:
    mine, _ = today_sessions(projects)
    before = statusline(event(mine))
    sub = mine.subagents[0]
    sub.respond("claude-sonnet-4-6", output=200_000)
    sub.save()
    after = statusline(event(mine))
    cost = next(s for s in report("sessions")["sessions"] if s["session_id"] == mine.session_id)["cost_usd"]
    assert before != after and after.startswith(f"thrifty {usd(cost)} ")
    assert 200_000 * 15 / 1e6 <= cost - float(before.split()[1].strip("$").replace(",", ""))


def test_nearest_budget_in_percent_from_the_options_or_what_the_sessions_hooks_recorded(projects: Path,
                                                                                        tmp_path: Path) -> None:
    mine, _ = today_sessions(projects)
    cost = next(s for s in report("sessions")["sessions"] if s["session_id"] == mine.session_id)["cost_usd"]
    day = report("daily", "--since", datetime.now().astimezone().date().isoformat())["totals"]["cost_usd"]
    line = statusline(event(mine), {"session_usd": round(cost * 2, 2), "daily_usd": round(day * 10, 2)})
    assert f" · session budget {cost / round(cost * 2, 2):.0%} · " in line
    assert "budget" not in statusline(event(mine))
    # The hooks record the settings they resolved (userConfig reaches hooks only); the status line uses that record.
    pre = {"session_id": mine.session_id, "transcript_path": str(mine.main.path), "cwd": str(tmp_path),
           "hook_event_name": "PreToolUse", "tool_name": "Read", "tool_input": {"file_path": "x"},
           "tool_use_id": "toolu_status1"}
    subprocess.run(hook_command("pre-tool-use"), input=json.dumps(pre).encode(), capture_output=True, check=True,
                   env=hook_env({"daily_usd": round(day * 1.25, 2)}), timeout=HOOK_TIMEOUT_S)
    assert re.search(r" · daily budget (7[5-9]|80|8[0-1])% · ", statusline(event(mine)))


@pytest.mark.parametrize("payload", [b"", b"not json", b"[1, 2]", b'{"session_id": 5}', b"\xff\xfe\x00garbage",
                                     b'{"session_id": "s", "transcript_path": 7}', b"{" * 100_000])
def test_garbage_on_stdin_prints_a_short_marker_and_logs_the_error(projects: Path, payload: bytes) -> None:
    assert statusline(payload) == MARKER
    log = (data_dir() / "hooks.log").read_text(encoding="utf-8")
    assert "statusline:" in log and "Traceback" in log


def test_a_damaged_ledger_prints_the_marker(projects: Path) -> None:
    mine, _ = today_sessions(projects)
    for suffix in ("", "-wal", "-shm"):
        ledger_path().with_name(ledger_path().name + suffix).unlink(missing_ok=True)
    ledger_path().write_bytes(b"this is not an SQLite database" * 100)
    assert statusline(event(mine)) == MARKER
    assert "LedgerError" in (data_dir() / "hooks.log").read_text(encoding="utf-8")


def test_the_plugins_launcher_runs_it_on_the_standard_library_path(projects: Path) -> None:
    mine, _ = today_sessions(projects)
    line = statusline(event(mine), command=[str(REPO / "bin" / "thrifty"), "statusline"])
    assert line.startswith("thrifty $") and "today $" in line
    probe = ("import sys\nimport thrifty.statusline.__main__ as m\nm.main()\n"
             "print(sorted(n for n in sys.modules if n.split('.')[0] in ('click', 'pydantic', 'rich', 'mcp')))")
    env = hook_env()
    done = subprocess.run([base_python(), "-c", probe], input=json.dumps(event(mine)).encode(), capture_output=True,
                          env=env, timeout=HOOK_TIMEOUT_S, check=True)
    assert done.stdout.decode().splitlines()[-1] == "[]"


def test_the_cli_command_prints_the_same_line(projects: Path) -> None:
    mine, _ = today_sessions(projects)
    line = statusline(event(mine))
    result = CliRunner().invoke(cli, ["statusline"], input=json.dumps(event(mine)), env={"NO_COLOR": "1"},
                                catch_exceptions=False)
    assert result.exit_code == 0 and result.stdout == line + "\n"
