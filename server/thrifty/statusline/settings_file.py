"""The `statusLine` entry of the user's Claude Code settings.json, changed only after showing the change, with a
backup, and never over a statusLine that is not thrifty's unless forced. Standard library only."""

from __future__ import annotations

import difflib
import json
import shlex
import time
from pathlib import Path
from typing import Any

from thrifty.launch.statusline_launcher import LAUNCHER
from thrifty.paths import write_atomic


class SettingsError(Exception):
    """settings.json cannot be read or changed; the message says what to do."""


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
            write_atomic(self.path, json.dumps(self.after, indent=2) + "\n")
        except OSError as exc:
            raise SettingsError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        return backup
