"""`python3 -m thrifty.hooks <event>`: read the event from stdin, run its handler, never break the session.

A hook that fails must not block or disturb Claude Code, so every error is logged to `hooks.log` in the data
directory and the process exits 0 with no output.
"""

from __future__ import annotations

import importlib
import json
import sys

from thrifty import logfile

HANDLERS = {
    "session-start": "thrifty.hooks.session_start",
    "stop": "thrifty.hooks.stop",
    "subagent-stop": "thrifty.hooks.stop",
    "session-end": "thrifty.hooks.stop",  # the last turn's lines can land after its Stop hook ran
    "pre-tool-use": "thrifty.hooks.pre_tool_use",
    "post-tool-use": "thrifty.hooks.post_tool_use",
    "post-tool-use-failure": "thrifty.hooks.post_tool_use",
}


def log_error(event_name: str) -> None:
    import traceback  # only on the failure path: 2 ms of every hook's start otherwise

    logfile.append(event_name, traceback.format_exc())  # silent if there is nowhere to log: never break the session


def main(argv: list[str]) -> int:
    event_name = argv[0] if argv else ""
    try:
        module_name = HANDLERS.get(event_name)
        if module_name is None:
            raise ValueError(f"unknown hook event {event_name!r}; known: {', '.join(sorted(HANDLERS))}")
        raw = sys.stdin.read()
        event = json.loads(raw) if raw.strip() else {}
        reply = importlib.import_module(module_name).handle(event_name, event)
        if reply:
            sys.stdout.write(json.dumps(reply))
    except Exception:  # noqa: BLE001 - top-level handler of a fail-open hook
        log_error(event_name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
