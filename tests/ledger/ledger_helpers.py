"""Ledger test helpers: the hook as a real subprocess, `thrifty report` through click's runner, and prices written
out by hand, independently of `thrifty.ledger.pricing`."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping
from typing import Any

from click.testing import CliRunner, Result

from fixtures_gen.hooks import HOOK_TIMEOUT_S, SERVER_DIR, base_python, hook_command, hook_env
from thrifty.cli import cli

__all__ = ["HOOK_TIMEOUT_S", "SERVER_DIR", "base_python", "expected_cost", "report", "report_json", "run_hook",
           "start_hook", "with_changes"]
# USD per million tokens (input, output, 5m write, 1h write, read), copied by hand from the pricing reference so
# report costs are checked against numbers that do not come from the code under test.
PRICES = {
    "claude-opus-4-8": (5, 25, 6.25, 10, 0.5),
    "claude-opus-4-6": (5, 25, 6.25, 10, 0.5),
    "claude-sonnet-4-6": (3, 15, 3.75, 6, 0.3),
    "claude-sonnet-4-5": (3, 15, 3.75, 6, 0.3),
    "claude-haiku-4-5": (1, 5, 1.25, 2, 0.1),
}
FAST = {"claude-opus-4-8": 2, "claude-opus-4-6": 6}


def expected_cost(responses: Any) -> float:
    """Cost of responses from PRICES (no request in the generated fixtures exceeds a long-context tier)."""
    total = 0.0
    for r in responses:
        base = r.model.split("[")[0]
        base = base[:-9] if base[-9:-8] == "-" and base[-8:].isdigit() else base
        rates = PRICES[base]
        factor = FAST.get(base, 1) if r.speed == "fast" else 1
        total += factor * sum(rate * n for rate, n in zip(rates, r.tokens, strict=True)) / 1e6
    return total


def start_hook(event_name: str, event: dict[str, Any] | str) -> subprocess.Popen[bytes]:
    """A hook process reading its event from a temporary file, so many can start at once; the caller waits for it
    with `communicate()`."""
    payload = event if isinstance(event, str) else json.dumps(event)
    with tempfile.TemporaryFile() as stdin:
        stdin.write(payload.encode())
        stdin.seek(0)
        return subprocess.Popen(hook_command(event_name), stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=hook_env())


def run_hook(event_name: str, event: dict[str, Any] | str) -> subprocess.CompletedProcess[bytes]:
    payload = event if isinstance(event, str) else json.dumps(event)
    return subprocess.run(hook_command(event_name), input=payload.encode(),
                          capture_output=True, env=hook_env(), timeout=HOOK_TIMEOUT_S, check=False)


def report(*args: str) -> Result:
    """`thrifty report ARGS` in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(cli, ["report", *args], catch_exceptions=False)


def report_json(*args: str) -> dict[str, Any]:
    result = report(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def with_changes(record: dict[str, Any], changes: Mapping[str, object]) -> dict[str, Any]:
    """`record` with each `outer__inner=value` set in its nested dicts, or removed where the value is `...`."""
    for key, value in changes.items():
        *path, last = key.split("__")
        target = record
        for part in path:
            target = target[part]
        if value is ...:
            target.pop(last, None)
        else:
            target[last] = value
    return record
