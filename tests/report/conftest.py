"""Fixtures for the report tests: a small generated history and the HTML page written from it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_helpers import History, make_history

from thrifty.paths import transcripts_dir


@pytest.fixture
def projects() -> Path:
    root = transcripts_dir()
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def history(projects: Path) -> History:
    return make_history(projects, datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
