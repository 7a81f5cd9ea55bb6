"""Stands in for `venv + pip` in the launcher tests (thrifty.launch.environment's THRIFTY_TEST_BUILD_COMMAND hook).

`python gated_build.py GATE ok|fail STARTED VENV_DIR`: says "waiting" into the FIFO STARTED (unless it is "-"),
waits until the test releases its lock on GATE, then links VENV_DIR to the test venv (as a finished build leaves it,
minus the stamp, which the real build step writes) or fails the way pip does when the package index is unreachable.
"""

from __future__ import annotations

import fcntl
import sys
from pathlib import Path


def link_venv(venv_dir: Path) -> None:
    """A venv made of links to this interpreter's: Python reads pyvenv.cfg beside the interpreter it was run as."""
    (venv_dir / "bin").mkdir(parents=True, exist_ok=True)
    for name, target in (("bin/python", Path(sys.executable)), ("lib", Path(sys.prefix) / "lib"),
                         ("pyvenv.cfg", Path(sys.prefix) / "pyvenv.cfg")):
        (venv_dir / name).unlink(missing_ok=True)
        (venv_dir / name).symlink_to(target)


def main(gate: str, outcome: str, started: str, venv_dir: str) -> int:
    if started != "-":
        with open(started, "w", encoding="utf-8") as fifo:
            fifo.write("waiting\n")
    with open(gate, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # blocks while the test holds the gate
    if outcome == "fail":
        print("ERROR: Could not find a version that satisfies the requirement mcp<3,>=2 (from versions: none)")
        return 1
    link_venv(Path(venv_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
