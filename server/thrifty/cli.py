"""The `thrifty` command. Subcommands load lazily so `thrifty report` never pays for the MCP SDK's import."""

from __future__ import annotations

import importlib

import click

from thrifty import __version__

# name -> "module:attribute" of a click command; each lives in thrifty.commands.<module>.
COMMANDS = {
    "serve": "thrifty.commands.serve:serve",
    "report": "thrifty.commands.report:report",
    "demo": "thrifty.commands.demo:demo",
    "bench": "thrifty.commands.bench:bench",
    "footprint": "thrifty.commands.footprint:footprint",
    "setup": "thrifty.commands.setup:setup",
    "watch": "thrifty.commands.watch:watch",
    "budget": "thrifty.commands.budget:budget",
    "batch": "thrifty.commands.batch:batch",
    "statusline": "thrifty.commands.statusline:statusline",
    "sync": "thrifty.commands.sync:sync",
    "export": "thrifty.commands.export:export",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None  # declared but not built yet
        command: click.Command = getattr(module, attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="thrifty")
def cli() -> None:
    """Cheap-by-construction Claude Code runs, and where every token went."""


def main() -> None:
    cli()
