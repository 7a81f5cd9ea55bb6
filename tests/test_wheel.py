"""The wheel is the product only: no benchmark, no transcript generator; `thrifty demo` runs from a plain install."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # builds the wheel (fetches hatchling from the package index) and installs it into a fresh venv
def test_the_wheel_holds_no_dev_tooling_and_its_demo_runs(tmp_path: Path) -> None:
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
                            str(REPO)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("thrifty-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "thrifty/money.py" in names and "thrifty/guard/gate.py" in names
    dev = [n for n in names if "bench" in n or "synth" in n or n.startswith(("benchmarks/", "tests/"))]
    assert dev == ["thrifty/commands/bench.py"]  # only the command that says where the benchmark lives
    venv.EnvBuilder(with_pip=True).create(tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True,
                             text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    demo = subprocess.run([str(python), "-m", "thrifty", "demo"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "token usage by session" in demo.stdout and "Traceback" not in demo.stderr
    bench = subprocess.run([str(python), "-m", "thrifty", "bench"], capture_output=True, text=True, timeout=60,
                           cwd=tmp_path)
    assert bench.returncode == 1 and "run it from a source checkout" in bench.stderr
