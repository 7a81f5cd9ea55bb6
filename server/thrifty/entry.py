"""The `thrifty` command's entry point: the forms `commands.fast` serves without click first, else the click CLI."""

from __future__ import annotations

import sys


def main() -> None:
    from thrifty.commands import fast

    if fast.serve(sys.argv[1:]) or fast.report_sessions_json(sys.argv[1:]):
        return
    from thrifty.cli import main as cli_main

    cli_main()
