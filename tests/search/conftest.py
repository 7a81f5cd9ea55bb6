"""Helpers for the search tests: small projects written by code, one file at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Write = Callable[[str, str | bytes], Path]


@pytest.fixture
def write(project: Path) -> Write:
    """write("pkg/a.py", text) creates the file (and its folders) under the project root."""

    def go(relative: str, content: str | bytes) -> Path:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return go
