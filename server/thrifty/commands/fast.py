"""Two forms without click, where the interpreter's start and imports are most of the time.

- `thrifty report [sessions] --json`, without pydantic either: the form scripts and status lines poll. Any failure
  goes to the full CLI, which does the same work and explains what went wrong (the ingest is transactional: doing
  it again is safe).
- `thrifty serve [--text-only]`, as the plugin's .mcp.json starts it in every session.

Any other form goes to the full CLI."""

from __future__ import annotations

import sys

_FORMS = ({"report", "--json"}, {"report", "-j"}, {"report", "sessions", "--json"}, {"report", "sessions", "-j"})
_SERVE_FORMS = (["serve"], ["serve", "--text-only"])


def serve(args: list[str]) -> bool:
    """Run the MCP server for exactly these argument forms, as `thrifty serve` would; else False."""
    if args not in _SERVE_FORMS:
        return False
    from thrifty.app import serve as run
    from thrifty.paths import project_root

    run(project_root(), structured="--text-only" not in args)
    return True


def report_sessions_json(args: list[str]) -> bool:
    """Print the sessions document and return True for exactly these argument forms; else False, nothing printed."""
    if not args or args[0] != "report" or len(args) != len(set(args)) or set(args) not in _FORMS:
        return False
    try:
        from thrifty.ledger.db import connect
        from thrifty.ledger.ingest import ingest_tree
        from thrifty.ledger.queries import Filters
        from thrifty.paths import ledger_path, transcripts_dir
        from thrifty.report.lean import dumps, sessions_document

        conn = connect(ledger_path())
        try:
            ingest_tree(conn, transcripts_dir(), workers=2)
            text = dumps(sessions_document(conn, Filters()))
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - the full CLI does it again and turns the failure into a clear message
        return False
    sys.stdout.write(text + "\n")
    return True
