"""Fixtures for the report tests: a small generated history (see report_helpers.make_history)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_helpers import History, make_history


@pytest.fixture
def history(projects: Path) -> History:
    return make_history(projects, datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
