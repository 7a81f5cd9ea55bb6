"""The status line's launcher: a small script in the data directory that runs the plugin's `bin/thrifty statusline`.

Claude Code's settings.json names this launcher, not the plugin, because the plugin's folder changes with every
update while the data directory stays; the SessionStart hook rewrites the launcher when the plugin has moved (a
plugin cannot set the main status line itself). Standard library only.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from thrifty.paths import write_atomic

LAUNCHER = "statusline.sh"


def launcher_text(root: Path) -> str:
    """The launcher's script: the plugin's `bin/thrifty statusline`, or this interpreter when thrifty was
    installed as a package without the plugin's folder."""
    launcher = root / "bin" / "thrifty"
    target = (f"exec {shlex.quote(str(launcher))} statusline" if launcher.exists()
              else f"exec {shlex.quote(sys.executable)} -m thrifty.statusline")
    return ("#!/bin/sh\n# thrifty's status line for Claude Code, written by `thrifty setup --statusline`. The "
            "SessionStart hook\n# rewrites the line below when the plugin moves (each update installs it "
            f"elsewhere).\n{target}\n")


def write_launcher(data: Path, root: Path) -> Path:
    path = data / LAUNCHER
    data.mkdir(parents=True, exist_ok=True)
    write_atomic(path, launcher_text(root), mode=0o755)
    return path


def refresh_launcher(data: Path, root: Path) -> None:
    """Point an installed launcher at this plugin folder (nothing to do when none is installed or it already is)."""
    path = data / LAUNCHER
    try:
        current = path.read_text(encoding="utf-8")
    except OSError:
        return
    if current != launcher_text(root):
        write_launcher(data, root)
