"""Helpers for the batch tests: job files and the CLI, run in-process or as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from thrifty.batch.job import load_job
from thrifty.batch.render import render
from thrifty.cli import cli

API_KEY = "sk-ant-test"

JOB_200 = """model = "claude-haiku-4-5-20251001"
max_tokens = 64
context = ["docs/style.md"]
prompt = "Label this ticket ({title}) with one word:\\n{body}"
items_jsonl = "tickets.jsonl"
item_max_tokens = 500
requests_per_batch = 75
"""


def write_job(project: Path, text: str = JOB_200, name: str = "label.toml") -> Path:
    path = project / name
    path.write_text(text)
    return path


def thrifty(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def thrifty_json(*args: str) -> Any:
    result = thrifty(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def spawn(*args: str) -> subprocess.Popen[str]:
    """`thrifty ARGS` as a real process with this test's environment (the fake's URL and key included)."""
    return subprocess.Popen([sys.executable, "-m", "thrifty", *args], env=dict(os.environ), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def custom_ids(job: Path, project: Path) -> list[str]:
    """The custom_id of each item of a job, in item order (as `thrifty batch` renders it)."""
    return [item.custom_id for item in render(load_job(job), project).items]
