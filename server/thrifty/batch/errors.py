"""The one error type of the batch lane: a message that says what is wrong and what to do; the CLI prints it."""

from __future__ import annotations


class BatchError(Exception):
    """A problem the user can fix (job file, key, API answer); `str()` is the whole message."""
