"""The status line in the real interactive Claude Code: `thrifty setup --statusline` writes settings.json, a session
runs in a terminal (a pty, its screen kept by the pyte terminal emulator), and Claude Code draws the line thrifty
prints, with the session's cost. Also: the plugin's SessionStart hook pointed the launcher at the installed plugin."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest
from harness import E2E, Script, Usage, reply

from fixtures_gen.report_page import view_json
from thrifty.money import usd

REPO = Path(__file__).resolve().parents[2]
SCREEN_DEADLINE_S = 90.0
COLUMNS, ROWS = 120, 40


def seed_interactive_state(e2e: E2E, project: Path, api_key: str) -> None:
    """What a user has done once before an interactive session: onboarding, trusting the folder, the API key."""
    state = {"hasCompletedOnboarding": True, "theme": "dark",
             "customApiKeyResponses": {"approved": [api_key[-20:]], "rejected": []},
             "projects": {str(project): {"hasTrustDialogAccepted": True, "allowedTools": []}}}
    for path in (e2e.home.home / ".claude.json", e2e.home.config_dir / ".claude.json"):
        path.write_text(json.dumps(state), encoding="utf-8")


class Terminal:
    """A pty of COLUMNS x ROWS and the screen a terminal would show for what was written to it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)

    def read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            self.stream.feed(os.read(self.fd, 1 << 16))

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]


def test_interactive_claude_code_draws_thrifty_status_line(e2e: E2E, project: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    env = e2e.home.env()
    setup = subprocess.run([sys.executable, "-m", "thrifty", "setup", "--statusline", "--yes"], env=env,
                           capture_output=True, text=True, timeout=60, check=True)
    assert "statusLine" in setup.stdout
    launcher = e2e.home.data_dir / "statusline.sh"
    assert f"exec {REPO}/bin/thrifty statusline" in launcher.read_text(encoding="utf-8")  # where setup ran from
    api = e2e.serve(Script.of(reply("Hello.", usage=Usage(7, 90, cache_write_5m=14_000))))
    run_env = e2e.home.env(api.base_url, TERM="xterm-256color")
    seed_interactive_state(e2e, project, run_env["ANTHROPIC_API_KEY"])
    pid, fd = pty.fork()
    if pid == 0:  # the child: Claude Code in a terminal, with a first prompt
        os.chdir(project)
        os.execve(e2e.home.claude, [e2e.home.claude, "say hello"], run_env)
    terminal = Terminal(fd)
    expected = None
    try:
        monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(e2e.home.config_dir))
        monkeypatch.setenv("THRIFTY_DATA_DIR", str(e2e.home.data_dir))
        end = time.monotonic() + SCREEN_DEADLINE_S
        while time.monotonic() < end:
            try:
                terminal.read(1.0)
            except OSError:
                break
            if expected is None and any("Hello." in line for line in terminal.lines()):
                sessions = view_json("sessions")["sessions"]  # empty until the transcript holds the answer
                if sessions:
                    cost = usd(sessions[0]["cost_usd"])
                    expected = f"thrifty {cost} · today {cost} · cache 0%"
            if expected is not None and any(line.strip() == expected for line in terminal.lines()):
                break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    shown = "\n".join(terminal.lines())
    assert expected is not None and expected in shown, shown
    # The plugin's SessionStart hook pointed the launcher at the plugin as Claude Code loaded it.
    target = launcher.read_text(encoding="utf-8").splitlines()[-1]
    assert target.startswith("exec ") and target.endswith("/bin/thrifty statusline") and str(REPO) not in target
    assert Path(target.split()[1]).exists()
