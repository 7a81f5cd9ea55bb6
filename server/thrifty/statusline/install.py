"""Installing the status line: a small launcher in the data directory, and the `statusLine` entry of the user's
Claude Code settings.json that runs it. Standard library only (the SessionStart hook refreshes the launcher).

The launcher is what settings.json names, because the plugin's own folder changes with every update (a plugin
cannot set the main status line itself) while the data directory stays; the SessionStart hook rewrites the launcher
when the plugin has moved. Settings are changed only after showing the change, with a backup, and an existing
statusLine that is not thrifty's is replaced only when forced.
"""

from __future__ import annotations

import difflib
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LAUNCHER = "statusline.sh"


class SettingsError(Exception):
    """settings.json cannot be read or changed; the message says what to do."""


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
    _write_atomic(path, launcher_text(root), mode=0o755)
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


def command_for(launcher: Path) -> str:
    return shlex.quote(str(launcher))


def read_settings(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise SettingsError(f"{path} is not valid JSON ({exc}); fix it first, nothing was changed") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path} does not hold a JSON object; fix it first, nothing was changed")
    return data


class Change:
    """What installing the status line does to settings.json: the new document and a diff to show."""

    __slots__ = ("path", "before", "after", "existing")

    def __init__(self, path: Path, before: dict[str, Any], command: str) -> None:
        self.path, self.before = path, before
        self.existing: Any = before.get("statusLine")
        self.after = {**before, "statusLine": {"type": "command", "command": command, "padding": 0}}

    @property
    def needed(self) -> bool:
        return self.before != self.after

    @property
    def ours(self) -> bool:
        """The current statusLine, if any, already runs thrifty's launcher."""
        command = self.existing.get("command") if isinstance(self.existing, dict) else None
        return isinstance(command, str) and LAUNCHER in command and "thrifty" in command

    def diff(self) -> str:
        old = json.dumps(self.before, indent=2).splitlines() if self.path.exists() else []
        new = json.dumps(self.after, indent=2).splitlines()
        return "\n".join(difflib.unified_diff(old, new, str(self.path), f"{self.path} (new)", lineterm=""))

    def apply(self) -> Path | None:
        """Write the new settings, after copying the old file aside; returns the backup's path (None: no file)."""
        backup = None
        if self.path.exists():
            backup = self.path.with_name(f"{self.path.name}.thrifty-backup-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                backup.write_bytes(self.path.read_bytes())
            except OSError as exc:
                raise SettingsError(f"cannot back up {self.path} to {backup}: {exc.strerror or exc}; nothing was "
                                    "changed") from None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.path, json.dumps(self.after, indent=2) + "\n")
        except OSError as exc:
            raise SettingsError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        return backup


def _write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
