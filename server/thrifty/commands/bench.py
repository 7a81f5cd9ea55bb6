"""`thrifty bench`: runs the benchmark of a source checkout (`python -m benchmarks`).

The benchmark is dev tooling and is not installed with the package (it generates large histories, needs ccusage and
the test suite's transcript generator); from a plain install this says how to get it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

CHECKOUT = Path(__file__).resolve().parents[3]  # <checkout>/server/thrifty/commands/bench.py in an editable install


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench(args: tuple[str, ...]) -> None:
    """Measure thrifty against named references, from a source checkout (see `thrifty bench --help` there)."""
    if not (CHECKOUT / "benchmarks" / "__main__.py").is_file():
        raise click.ClickException(
            "the benchmark is not part of an installed thrifty; run it from a source checkout: "
            "git clone the repository, `python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'`, then "
            "`.venv/bin/thrifty bench` (or `.venv/bin/python -m benchmarks`)")
    sys.exit(subprocess.run([sys.executable, "-m", "benchmarks", *args], cwd=CHECKOUT, check=False).returncode)
