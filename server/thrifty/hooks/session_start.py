"""SessionStart: build the plugin's venv when it is missing or stale, so the MCP server starts within its limit;
point the status line's launcher (when installed) at this plugin folder, which moves with every plugin update.

Up to date, this costs a stat and a hash; it prints nothing either way, so it adds nothing to the conversation.
"""

from __future__ import annotations

from typing import Any


def handle(event_name: str, event: dict[str, Any]) -> dict[str, Any] | None:
    import subprocess

    from thrifty.launch.environment import SESSION_START_WAIT_S, ensure_venv, plugin_root
    from thrifty.launch.statusline_launcher import refresh_launcher
    from thrifty.paths import data_dir

    try:
        ensure_venv(wait_s=SESSION_START_WAIT_S)
    except subprocess.TimeoutExpired:
        pass  # the build goes on in the background; the MCP server answers through firstrun meanwhile
    finally:  # a failed build must not leave the status line pointing at a plugin folder an update removed
        refresh_launcher(data_dir(), plugin_root())
    return None
