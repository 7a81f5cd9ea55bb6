"""Fixtures for the status line tests: the test's transcripts root."""

from __future__ import annotations

from pathlib import Path

import pytest

from thrifty.paths import transcripts_dir


@pytest.fixture
def projects() -> Path:
    root = transcripts_dir()
    root.mkdir(parents=True, exist_ok=True)
    return root
