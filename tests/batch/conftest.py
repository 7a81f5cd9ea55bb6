"""Fixtures for the batch lane: a fake Batches API the real SDK talks to, a project with files, the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch_helpers import API_KEY
from fake_api import FakeBatches, running


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, project: Path) -> Iterator[FakeBatches]:
    """The fake API, with ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY pointing the SDK at it, in `project`."""
    with running(API_KEY) as api:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
        monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
        monkeypatch.setenv("CLAUDE_PROJECT_DIR", str(project))
        yield api


@pytest.fixture
def tickets(project: Path) -> Path:
    """tickets.jsonl with 200 tickets and a style guide to share as context."""
    (project / "docs").mkdir()
    (project / "docs" / "style.md").write_text("".join(f"Rule {n}: keep labels short and lower case.\n"
                                                       for n in range(1, 501)))
    lines = [json.dumps({"id": n, "title": f"Ticket {n}", "body": f"Printer {n} jams on page {n % 7}."})
             for n in range(1, 201)]
    path = project / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path
