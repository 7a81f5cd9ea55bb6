"""`thrifty statusline`: the status line (see thrifty.statusline). `bin/thrifty statusline` runs the same code
without starting the venv or click, which is what settings.json uses."""

from __future__ import annotations

import click


@click.command()
def statusline() -> None:
    """Read Claude Code's statusLine JSON on stdin and print one line: this session's $ (with its subagents),
    today's $, the nearest budget and the cache hit ratio. `thrifty setup --statusline` installs it."""
    from thrifty.statusline.__main__ import main

    main()
