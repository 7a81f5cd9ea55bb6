"""Share a first ingest with one forked helper process: it parses while this process parses and writes.

Parsing transcripts is pure Python and holds the GIL, and shipping parsed records between processes costs about as
much as parsing them, so the helper does not send records back: it parses its files, waits until this process has
committed its own, then writes its rows through its own connection, in a transaction of its own, and reports only
its counts. If anything goes wrong in the helper (or in this process's share), the helper writes nothing and
`Shared.done` stays False: the caller then does the helper's part itself, so the ledger ends the same either way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import TypeVar

Parsed = TypeVar("Parsed")


class Shared:
    """Whether the helper committed its part, and the counts it reported."""

    __slots__ = ("done", "counts")

    def __init__(self) -> None:
        self.done = False
        self.counts: dict[str, int] = {}


def can_fork() -> bool:
    return hasattr(os, "fork")


@contextmanager
def share(parse: Callable[[], Parsed], write: Callable[[Parsed], dict[str, int]]) -> Generator[Shared]:
    """Run `parse()` in a forked helper at once, and `write(parsed)` there after the `with` body ends without error.

    The helper never touches this process's objects after the fork except through `parse` and `write`, and leaves
    with `os._exit` (no atexit handlers, no flush of inherited buffers, no finalizer closing a shared connection).
    """
    shared = Shared()
    if not can_fork():
        yield shared
        return
    go_read, go_write = os.pipe()
    counts_read, counts_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper
        code = 1
        try:
            os.close(go_write)
            os.close(counts_read)
            parsed = parse()
            if os.read(go_read, 1) == b"1":
                os.write(counts_write, json.dumps(write(parsed)).encode())
                code = 0
        except BaseException:  # noqa: BLE001 - the parent redoes this part and reports any error itself
            code = 1
        finally:
            os._exit(code)
    os.close(go_read)
    os.close(counts_write)
    body_ok = False
    try:
        yield shared
        body_ok = True
    finally:
        try:
            os.write(go_write, b"1" if body_ok else b"0")
        except OSError:  # the helper is gone already (interrupted): nothing to tell it
            pass
        os.close(go_write)
        with os.fdopen(counts_read, "rb") as pipe:
            reported = pipe.read()
        _, status = os.waitpid(pid, 0)
        if body_ok and os.waitstatus_to_exitcode(status) == 0 and reported:
            shared.done, shared.counts = True, json.loads(reported)
