"""The plugin in real Claude Code 2.1.330, offline, in a fresh home: validate, install, inspect, connect, /thrifty:cost.

Skipped when that Claude Code is not installed. `claude -p` without a login stops with "Not logged in" before any
API call, but only after the SessionStart hooks ran and the prompt (with a command's `!` injections) was expanded
and written to the session transcript, which is what these tests look at.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from plugin_helpers import REPO, fresh_home_env, make_stamped_venv

PLUGIN_DATA = Path(".claude") / "plugins" / "data" / "thrifty-thrifty"  # under HOME, for thrifty@thrifty


def _claude(claude: str, env: dict[str, str], *args: str, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([claude, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _install(claude: str, env: dict[str, str]) -> None:
    added = _claude(claude, env, "plugin", "marketplace", "add", str(REPO))
    assert added.returncode == 0, added.stdout + added.stderr
    assert "Successfully added marketplace: thrifty" in added.stdout
    installed = _claude(claude, env, "plugin", "install", "thrifty@thrifty")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Successfully installed plugin: thrifty@thrifty" in installed.stdout


@pytest.fixture(scope="module")
def installed(claude: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One fresh home with the plugin added and installed from the checkout, and its venv in place (stamped, as the
    first session's hook would leave it), shared by the tests that only use the installed plugin."""
    env = fresh_home_env(tmp_path_factory.mktemp("installed") / "home")
    _install(claude, env)
    make_stamped_venv(Path(env["HOME"]) / PLUGIN_DATA)
    return env


def _new_project(tmp_path: Path) -> Path:
    project = tmp_path / "new-project"
    project.mkdir()
    (project / "app.py").write_text("def main():\n    return 0\n", encoding="utf-8")
    return project


def _session_start_ran(stream: str) -> bool:
    """Whether the plugin's SessionStart hook finished successfully, per `claude -p --output-format stream-json`."""
    for line in stream.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("subtype") == "hook_response" and event.get("hook_event") == "SessionStart":
            return event.get("exit_code") == 0 and event.get("outcome") == "success" and event.get("stdout") == ""
    return False


def test_validate_strict_passes_with_no_plugin_directory_refusals(claude: str, claude_env: dict[str, str]) -> None:
    strict = _claude(claude, claude_env, "plugin", "validate", str(REPO), "--strict", "--json")
    assert strict.returncode == 0, strict.stdout
    report = json.loads(strict.stdout)
    assert report["success"] and not report["manifest"]["errors"] and not report["manifest"]["warnings"]
    directory = _claude(claude, claude_env, "plugin", "validate", str(REPO), "--strict", "--profile", "directory",
                        "--json")
    assert directory.returncode == 0, directory.stdout
    assert json.loads(directory.stdout)["directory"]["findings"] == []  # no refusals, and no warnings either
    provides = json.dumps(report["provides"])
    for part in ("thrifty:cost-plan", "thrifty:scout", "thrifty:checker", "thrifty:cost", "SessionStart"):
        assert part in provides


def test_the_skills_folder_validates_on_its_own(claude: str, claude_env: dict[str, str]) -> None:
    run = _claude(claude, claude_env, "plugin", "validate", str(REPO / "skills"), "--strict")
    assert run.returncode == 0, run.stdout + run.stderr


def test_validation_of_a_skills_folder_catches_a_broken_skill(
    claude: str, claude_env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "skills" / "broken"
    broken.mkdir(parents=True)
    (broken / "SKILL.md").write_text('---\nname: broken\ndescription: "unclosed\n---\nBody\n', encoding="utf-8")
    run = _claude(claude, claude_env, "plugin", "validate", str(tmp_path / "skills"), "--strict")
    assert run.returncode == 1


def test_installed_plugin_lists_its_components_with_a_small_always_on_cost(
    claude: str, installed: dict[str, str]
) -> None:
    details = _claude(claude, installed, "plugin", "details", "thrifty")
    assert details.returncode == 0, details.stderr
    counts = {kind: int(n) for kind, n in re.findall(r"^\s+(Skills|Agents|Hooks|MCP servers) \((\d+)\)",
                                                      details.stdout, re.M)}
    assert counts["Skills"] == 3 and counts["Agents"] == 2 and counts["Hooks"] >= 2, details.stdout  # + command
    assert re.search(r"^\s+MCP servers \(1\)\s+thrifty\b", details.stdout, re.M), details.stdout
    always_on = re.search(r"Always-on:\s+~([\d,]+) tok", details.stdout)
    assert always_on is not None, details.stdout
    assert int(always_on[1].replace(",", "")) <= 200  # Claude Code's own estimate, without the server's items


def test_mcp_list_shows_the_server_connected_after_the_session_start_hook_ran(
    claude: str, installed: dict[str, str], tmp_path: Path
) -> None:
    project = _new_project(tmp_path)
    session = _claude(claude, installed, "-p", "hello", "--output-format", "stream-json", "--verbose", cwd=project)
    assert _session_start_ran(session.stdout), session.stdout[-2000:]
    listed = _claude(claude, installed, "mcp", "list", cwd=project)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert re.search(r"^plugin:thrifty:thrifty: .*✔ Connected", listed.stdout, re.M), listed.stdout


@pytest.mark.slow  # builds a real venv with pip (30 s or more, needs the package index)
def test_first_session_hook_builds_the_venv_and_then_the_server_connects(
    claude: str, claude_env: dict[str, str], tmp_path: Path
) -> None:
    _install(claude, claude_env)
    project = _new_project(tmp_path)
    session = _claude(claude, claude_env, "-p", "hello", "--output-format", "stream-json", "--verbose", cwd=project,
                      timeout=900)
    assert _session_start_ran(session.stdout), session.stdout[-2000:]
    data = Path(claude_env["HOME"]) / PLUGIN_DATA
    assert (data / "venv" / "thrifty-deps.sha256").exists(), (data / "setup.log").read_text(encoding="utf-8")
    listed = _claude(claude, claude_env, "mcp", "list", cwd=project, timeout=120)
    assert re.search(r"^plugin:thrifty:thrifty: .*✔ Connected", listed.stdout, re.M), listed.stdout


def test_cost_command_puts_this_sessions_summary_into_the_prompt(
    claude: str, installed: dict[str, str], tmp_path: Path
) -> None:
    from fixtures_gen.transcripts import realistic_session

    home = Path(installed["HOME"])
    # Usage recorded under this session id (as in a resumed session), in another project's folder.
    session = realistic_session(home / ".claude" / "projects", seed=7, turns=5)
    project = _new_project(tmp_path)
    run = _claude(claude, installed, "-p", "--session-id", session.session_id, "/thrifty:cost", cwd=project)
    assert "Not logged in" in run.stdout + run.stderr  # expanded first, then stopped before any API call
    transcript = home / ".claude" / "projects" / re.sub(r"[^A-Za-z0-9]", "-", str(project)) / (
        f"{session.session_id}.jsonl")
    injected = [record["message"]["content"][0]["text"]
                for record in map(json.loads, transcript.read_text(encoding="utf-8").splitlines())
                if record.get("type") == "user" and record.get("isMeta")]
    assert len(injected) == 1, injected
    text = injected[0]
    assert f"session {session.session_id}" in text  # report summary --plain, not the table
    assert "\nagents:\n  " in text and "\n  main · " in text
    assert "\nmodels: " in text and "\ntools (result tok/calls): " in text
    assert "Reply with the report above exactly as printed" in text
    assert "!`" not in text and "${CLAUDE_SESSION_ID}" not in text
