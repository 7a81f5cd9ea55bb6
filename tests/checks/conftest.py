"""Fixtures for run_checks tests: files written into the tmp project."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

Writer = Callable[[str, str], Path]


@pytest.fixture
def write(project: Path) -> Writer:
    """Write a file under the project root (dedented), creating folders."""

    def _write(rel: str, text: str) -> Path:
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
