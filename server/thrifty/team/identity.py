"""Who this machine is in the team database: the user and host its rows are tagged with; standard library only."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping


def user_name(env: Mapping[str, str] = os.environ) -> str:
    """`THRIFTY_USER`, else the login name (rows are tagged with it)."""
    value = env.get("THRIFTY_USER", "").strip()
    if value:
        return value
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def host_name(env: Mapping[str, str] = os.environ) -> str:
    """`THRIFTY_HOST`, else the host name (containers often need the variable to get a meaningful one)."""
    return env.get("THRIFTY_HOST", "").strip() or socket.gethostname() or "unknown"
