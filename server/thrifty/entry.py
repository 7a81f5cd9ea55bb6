"""The `thrifty` command's entry point: the polled `report --json` form first, without click, else the click CLI."""

from __future__ import annotations

import sys


def main() -> None:
    from thrifty.commands.fast import report_sessions_json

    if report_sessions_json(sys.argv[1:]):
        return
    from thrifty.cli import main as cli_main

    cli_main()
