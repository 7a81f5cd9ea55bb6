"""`thrifty setup --statusline`: shows the settings.json change, keeps a backup, leaves a foreign statusLine alone
unless forced; the command it writes runs the real status line; the SessionStart hook follows a moved plugin."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from fixtures_gen.hooks import HOOK_TIMEOUT_S, hook_env
from fixtures_gen.transcripts import realistic_session
from thrifty.cli import cli
from thrifty.launch.statusline_launcher import launcher_text, refresh_launcher, write_launcher
from thrifty.paths import claude_config_dir, data_dir

REPO = Path(__file__).resolve().parents[2]


def setup(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["setup", "--statusline", *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.output


def settings_file() -> Path:
    return claude_config_dir() / "settings.json"


def settings() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(settings_file().read_text(encoding="utf-8"))
    return data


def test_it_shows_the_change_keeps_a_backup_and_keeps_every_other_setting(projects: Path) -> None:
    settings_file().parent.mkdir(parents=True, exist_ok=True)
    before = {"model": "sonnet", "permissions": {"allow": ["Bash(ls:*)"]}, "env": {"X": "1"}}
    settings_file().write_text(json.dumps(before), encoding="utf-8")
    code, output = setup("--yes")
    assert code == 0, output
    assert '+  "statusLine": {' in output and "statusline.sh" in output
    after = settings()
    assert {k: after[k] for k in before} == before
    assert after["statusLine"]["type"] == "command"
    backups = list(settings_file().parent.glob("settings.json.thrifty-backup-*"))
    assert len(backups) == 1 and json.loads(backups[0].read_text(encoding="utf-8")) == before
    assert str(backups[0]) in output
    code, output = setup("--yes")
    assert code == 0 and "already set" in output
    assert len(list(settings_file().parent.glob("settings.json.thrifty-backup-*"))) == 1


def test_the_written_command_prints_the_sessions_line_through_a_shell(projects: Path) -> None:
    code, output = setup("--yes")
    assert code == 0, output
    session = realistic_session(projects, seed=41, turns=5, subagents=1)
    event = {"session_id": session.session_id, "transcript_path": str(session.main.path), "cwd": "/tmp"}
    done = subprocess.run(["sh", "-c", settings()["statusLine"]["command"]], input=json.dumps(event).encode(),
                          capture_output=True, env={**hook_env(), "NO_COLOR": "1"}, timeout=HOOK_TIMEOUT_S, check=True)
    assert done.stdout.decode().startswith("thrifty $") and "(subagents $" in done.stdout.decode()


def test_a_foreign_statusline_is_kept_unless_forced(projects: Path) -> None:
    settings_file().parent.mkdir(parents=True, exist_ok=True)
    theirs = {"statusLine": {"type": "command", "command": "~/.claude/my-line.sh"}}
    settings_file().write_text(json.dumps(theirs), encoding="utf-8")
    code, output = setup("--yes")
    assert code == 1 and "my-line.sh" in output and "--force" in output
    assert settings() == theirs
    code, output = setup("--yes", "--force")
    assert code == 0 and '-    "command": "~/.claude/my-line.sh"' in output
    assert "statusline.sh" in settings()["statusLine"]["command"]
    backup = next(settings_file().parent.glob("settings.json.thrifty-backup-*"))
    assert json.loads(backup.read_text(encoding="utf-8")) == theirs


def test_declining_or_bad_json_changes_nothing(projects: Path) -> None:
    settings_file().parent.mkdir(parents=True, exist_ok=True)
    settings_file().write_text('{"model": "opus"}', encoding="utf-8")
    code, output = setup(stdin="n\n")
    assert code == 1 and "Write this change?" in output and settings() == {"model": "opus"}
    settings_file().write_text('{"model": "opus",}', encoding="utf-8")
    code, output = setup("--yes")
    assert code == 1 and "not valid JSON" in output and "nothing was changed" in output
    assert settings_file().read_text(encoding="utf-8") == '{"model": "opus",}'
    code, output = setup("--check")
    assert code == 2 and "--statusline goes alone" in output


def test_the_launcher_follows_the_plugin_when_an_update_moves_it(tmp_path: Path) -> None:
    old_root, new_root = tmp_path / "cache" / "0.1.0", tmp_path / "cache" / "0.2.0"
    for root in (old_root, new_root):
        (root / "bin").mkdir(parents=True)
        (root / "bin" / "thrifty").write_text("#!/bin/sh\n", encoding="utf-8")
    launcher = write_launcher(data_dir(), old_root)
    assert str(old_root / "bin" / "thrifty") in launcher.read_text(encoding="utf-8")
    refresh_launcher(data_dir(), new_root)
    assert launcher.read_text(encoding="utf-8") == launcher_text(new_root)
    assert launcher.stat().st_mode & 0o111
    (data_dir() / "statusline.sh").unlink()
    refresh_launcher(data_dir(), new_root)  # not installed: the hook creates nothing
    assert not (data_dir() / "statusline.sh").exists()
