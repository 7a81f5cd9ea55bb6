"""`thrifty serve`: the MCP server on stdio."""

from __future__ import annotations

from pathlib import Path

import click

from thrifty.paths import project_root


@click.command()
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Project root (default: $CLAUDE_PROJECT_DIR, else the working directory).",
)
@click.option(
    "--text-only",
    is_flag=True,
    help="Send only the text channel (Claude Code shows structuredContent to the model instead of the text).",
)
def serve(root: Path | None, text_only: bool) -> None:
    """Run the MCP server on stdio (what the plugin's .mcp.json starts)."""
    from thrifty.app import serve as run

    run((root or project_root()).resolve(), structured=not text_only)
