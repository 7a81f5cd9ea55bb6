"""`thrifty setup --statusline`: show the settings.json change, then make it, with a backup."""

from __future__ import annotations

from pathlib import Path

import click

from thrifty.launch.environment import plugin_root
from thrifty.launch.statusline_launcher import LAUNCHER, write_launcher
from thrifty.paths import claude_config_dir, data_dir
from thrifty.statusline.settings_file import Change, SettingsError, command_for, read_settings


def install_statusline(force: bool, yes: bool) -> None:
    settings = claude_config_dir() / "settings.json"
    data = data_dir()
    launcher = data / LAUNCHER
    try:
        change = Change(settings, read_settings(settings), command_for(launcher))
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if change.existing is not None and not change.ours and not force:
        raise click.ClickException(
            f"{settings} already has a statusLine: {_describe(change.existing)}. thrifty leaves it alone; run "
            "`thrifty setup --statusline --force` to replace it (a backup of the file is kept).")
    _write_launcher(data)
    if not change.needed:
        click.echo(f"The status line is already set in {settings}; its launcher {launcher} is up to date.")
        return
    click.echo(f"thrifty will change {settings}:\n")
    click.echo(change.diff() + "\n")
    if not yes:
        click.confirm("Write this change?", default=True, abort=True)
    try:
        backup = change.apply()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    kept = f" The old file is kept as {backup}." if backup else ""
    click.echo(f"Done.{kept} The status line shows from the next message of a session (or a new session).")


def _write_launcher(data: Path) -> None:
    try:
        write_launcher(data, plugin_root())
    except OSError as exc:
        raise click.ClickException(f"cannot write the status line launcher in {data}: {exc.strerror or exc}") from None


def _describe(existing: object) -> str:
    if isinstance(existing, dict) and isinstance(existing.get("command"), str):
        return repr(existing["command"])
    return repr(existing)
