"""`thrifty demo`, the README's first command, as a newcomer runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_demo_shows_every_tool_and_the_report_and_leaves_nothing_behind(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "thrifty", "demo"], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Cart.total_cents (method)" in out and "if subtotal > 10_000:" in out  # read_many by symbol
    assert "outside the project root" in out and "never read" not in out
    assert "function reserve" in out  # grep_and_read widened to the enclosing definition
    assert "test_discount_starts_at_exactly_one_hundred" in out and "10000 != 9000" in out  # run_checks
    assert "token usage by session" in out and "Total" in out
    assert "Traceback" not in run.stderr
    example = out.split("Example project: ")[1].split()[0]
    assert not Path(example).exists()
