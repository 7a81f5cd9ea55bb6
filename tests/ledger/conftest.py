"""Fixtures for the ledger tests: the transcripts root of the test's Claude config dir and the test's ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from thrifty.paths import ledger_path


@pytest.fixture
def ledger() -> Callable[[], sqlite3.Connection]:
    """Opens the test's ledger for assertions (no migration, plain sqlite3)."""

    def open_ledger() -> sqlite3.Connection:
        return sqlite3.connect(ledger_path())

    return open_ledger
