"""Real Claude Code for tests: finding the pinned version, and a plugin venv that needs no pip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLAUDE_VERSION = "2.1.330"


def system_python() -> str:
    """The python3 that bin/thrifty and the hooks run (what PATH gives), as an absolute path."""
    return subprocess.run(["python3", "-c", "import sys; print(sys.executable)"], capture_output=True, text=True,
                          check=True, timeout=30).stdout.strip()


def stamp_for_system_python() -> str:
    """The venv fingerprint that python3 computes for this checkout (the hooks and launcher compare against it)."""
    code = "from thrifty.launch import environment as b; print(b.fingerprint(b.dependencies(b.plugin_root())))"
    return subprocess.run([system_python(), "-c", code], capture_output=True, text=True, check=True, timeout=30,
                          env=dict(os.environ, PYTHONPATH=str(REPO / "server"))).stdout.strip()


def make_stamped_venv(data: Path) -> Path:
    """`<data>/venv` built from links to the test venv and stamped current, so nothing is installed.

    Python reads pyvenv.cfg next to the interpreter it was started as, so links to the test venv's interpreter,
    lib/ and pyvenv.cfg give an interpreter that sees the test venv's packages.
    """
    venv_dir = data / "venv"
    (venv_dir / "bin").mkdir(parents=True)
    (venv_dir / "bin" / "python").symlink_to(Path(sys.executable))
    rg = Path(sys.prefix) / "bin" / "rg"  # the ripgrep wheel's binary: a built venv has it beside its python
    if rg.exists():
        (venv_dir / "bin" / "rg").symlink_to(rg)
    (venv_dir / "lib").symlink_to(Path(sys.prefix) / "lib")
    (venv_dir / "pyvenv.cfg").symlink_to(Path(sys.prefix) / "pyvenv.cfg")
    from thrifty.launch.environment import STAMP

    (venv_dir / STAMP).write_text(stamp_for_system_python() + "\n", encoding="utf-8")
    return venv_dir


def find_claude() -> str | None:
    """Claude Code at the pinned version, on PATH or in the checkout's .tools, else None."""
    candidates = [shutil.which("claude"), str(REPO / ".tools" / "node_modules" / ".bin" / "claude")]
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        try:
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if version.startswith(f"{CLAUDE_VERSION} "):
            return candidate
    return None
