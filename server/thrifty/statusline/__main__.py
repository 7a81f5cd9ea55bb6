"""`python3 -m thrifty.statusline`: read Claude Code's statusLine JSON on stdin, print one line, never break.

Any error prints a short marker instead of the figures and goes to `hooks.log` in the data directory with the
hooks' errors; the exit status is always 0, so Claude Code keeps drawing its footer.
"""

from __future__ import annotations

import json
import sys

MARKER = "thrifty: n/a (see hooks.log)"
MAX_INPUT_BYTES = 1 << 20


def main() -> int:
    try:
        from thrifty.ledger.db import connect
        from thrifty.paths import ledger_path
        from thrifty.statusline.line import status_line

        event = json.loads(sys.stdin.buffer.read(MAX_INPUT_BYTES) or b"{}")
        if not isinstance(event, dict):
            raise ValueError(f"the status line input is not a JSON object: {str(event)[:80]}")
        conn = connect(ledger_path())
        try:
            line = status_line(conn, event)
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - the status line must never break
        from thrifty.hooks.__main__ import log_error

        log_error("statusline")
        line = MARKER
    sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
