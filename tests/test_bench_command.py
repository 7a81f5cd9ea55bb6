"""`thrifty bench` runs the benchmark of a source checkout; an installed package without one says how to get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from thrifty.commands import bench


def test_without_a_checkout_it_says_where_the_benchmark_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "CHECKOUT", tmp_path)  # what a plain `pip install .` looks like: no benchmarks/ beside
    result = CliRunner().invoke(bench.bench, ["--quick"])
    assert result.exit_code == 1
    assert "not part of an installed thrifty" in result.output and "python -m benchmarks" in result.output
    assert "Traceback" not in result.output


def test_in_a_checkout_it_runs_the_benchmark_with_its_arguments(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "thrifty", "bench", "--help"], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Usage: python -m benchmarks" in run.stdout and "--section" in run.stdout
