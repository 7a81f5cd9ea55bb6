"""Bounded reads from a child's pipe: every wait in the tests has a deadline, so a silent child fails the test."""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable


def read_until_sync(fd: int, text: bytes, timeout: float) -> bytes:
    """Read a pipe until `text` has appeared or `timeout` seconds passed (then fail); all of it so far."""
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"{text!r} did not appear within {timeout} s: {seen!r}")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"the pipe closed before {text!r} appeared: {seen!r}")
        seen += chunk
    return seen


def read_lines_until(fd: int, done: Callable[[bytes], bool], timeout: float) -> list[bytes]:
    """Complete lines from a pipe up to the first one `done` accepts, within `timeout` seconds (else fail)."""
    lines: list[bytes] = []
    pending = b""
    deadline = time.monotonic() + timeout
    while True:
        *complete, pending = pending.split(b"\n")
        for line in complete:
            lines.append(line)
            if done(line):
                return lines
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no expected line within {timeout} s: {lines!r} {pending!r}")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"the pipe closed before the expected line: {lines!r} {pending!r}")
        pending += chunk
