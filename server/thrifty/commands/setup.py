"""`thrifty setup`: prepare or verify the plugin's venv (what the SessionStart hook does), and say where it is."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Literal

import click
from pydantic import BaseModel

from thrifty.launch import environment
from thrifty.paths import data_dir

State = Literal["current", "built", "missing", "stale"]


class SetupStatus(BaseModel):
    state: State
    venv: str
    python: str
    data_dir: str
    log: str
    built_at: str | None  # when the venv's stamp was written (local time)
    dependencies: list[str]


def status(root: Path, data: Path, *, build: bool, rebuild: bool = False) -> SetupStatus:
    """The venv's state under `data`; with `build`, build it first when missing or stale (or always with `rebuild`)."""
    venv_dir = data / "venv"
    deps = environment.dependencies(root)
    if rebuild:
        (venv_dir / environment.STAMP).unlink(missing_ok=True)
    state: State
    if build:
        _, built = environment.ensure_venv(root, data)
        state = "built" if built else "current"
    elif environment.is_current(venv_dir, environment.fingerprint(deps)):
        state = "current"
    else:
        state = "stale" if environment.venv_python(venv_dir).exists() else "missing"
    stamp = venv_dir / environment.STAMP
    built_at = (datetime.datetime.fromtimestamp(stamp.stat().st_mtime).isoformat(timespec="seconds")
                if stamp.exists() else None)
    return SetupStatus(state=state, venv=str(venv_dir), python=str(environment.venv_python(venv_dir)),
                       data_dir=str(data), log=str(data / "setup.log"), built_at=built_at, dependencies=deps)


_SAY = {
    "current": "up to date",
    "built": "built just now",
    "missing": "not built yet; `thrifty setup` builds it, and so does the first session's SessionStart hook",
    "stale": "out of date (the dependency list or Python changed): run `thrifty setup` to rebuild it",
}


@click.command()
@click.option("--check", is_flag=True, help="Only report; build nothing. Exit 1 if the venv is missing or stale.")
@click.option("--rebuild", is_flag=True, help="Rebuild the venv even if it looks up to date.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--statusline", is_flag=True, help="Add thrifty's status line to your Claude Code settings.json.")
@click.option("--force", is_flag=True, help="With --statusline: replace a statusLine that is already set.")
@click.option("-y", "--yes", is_flag=True, help="With --statusline: write the change without asking.")
def setup(check: bool, rebuild: bool, as_json: bool, statusline: bool, force: bool, yes: bool) -> None:
    """Prepare the plugin's Python environment under its data directory, or check it with --check.

    Needs only python3; uses uv when it is on PATH, else venv + pip. The SessionStart hook runs the same step.
    With --statusline, instead add `thrifty statusline` to ~/.claude/settings.json (shown first, backed up).
    """
    if statusline:
        if check or rebuild or as_json:
            raise click.UsageError("--statusline goes alone (with --force or --yes)")
        from thrifty.commands.setup_statusline import install_statusline

        install_statusline(force, yes)
        return
    if force or yes:
        raise click.UsageError("--force and --yes apply to --statusline only")
    if check and rebuild:
        raise click.UsageError("--check builds nothing; drop it to --rebuild")
    data = data_dir()
    try:
        result = status(environment.plugin_root(), data, build=not check, rebuild=rebuild)
    except (OSError, subprocess.SubprocessError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(
            f"could not prepare the environment in {data / 'venv'} ({exc}); details in {data / 'setup.log'}"
        ) from None
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        installer = "uv" if shutil.which("uv") else "venv + pip"
        click.echo(f"venv:   {result.venv} ({_SAY[result.state]})")
        click.echo(f"python: {result.python}" + (f" (built {result.built_at})" if result.built_at else ""))
        click.echo(f"data:   {result.data_dir}")
        click.echo(f"log:    {result.log}")
        click.echo(f"builds with {installer}, for Python {sys.version.split()[0]}; {len(result.dependencies)} "
                   "dependencies from the plugin's pyproject.toml")
    if result.state in ("missing", "stale"):
        raise SystemExit(1)
