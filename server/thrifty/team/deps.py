"""The `team` extra (psycopg, the OpenTelemetry SDK and its OTLP/HTTP exporter): imported only when a team command
runs, and a missing one named with the exact command that installs it into the interpreter running thrifty."""

from __future__ import annotations

import importlib
import shlex
import sys
from types import ModuleType

# Kept equal to `[project.optional-dependencies] team` in pyproject.toml (a test compares them).
TEAM_REQUIREMENTS = ("psycopg[binary]>=3.1,<4", "opentelemetry-sdk>=1.25,<2",
                     "opentelemetry-exporter-otlp-proto-http>=1.25,<2")


class MissingExtra(Exception):
    """A team command ran without the `team` extra installed."""


def install_command() -> str:
    return shlex.join([sys.executable, "-m", "pip", "install", *TEAM_REQUIREMENTS])


def require(module: str, feature: str) -> ModuleType:
    """Import `module` or raise MissingExtra naming the command that installs the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            f"{feature} needs thrifty's `team` extra ({exc.name or module} is not installed). Install it with:\n"
            f"  {install_command()}") from None
