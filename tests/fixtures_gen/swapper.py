"""A hostile neighbour for confinement tests: a separate process that keeps swapping names inside a project between
a regular file (or directory) and a symlink leading out of it, as a build or another agent writing there could.

Every swap is an atomic rename, so at any instant the name is either the inside object or the link out; whichever
the tools meet, no byte from outside may come back.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SECRET = "OUTSIDE-SECRET-7f3a"  # in every outside file and file name: any appearance in a result is a leak
INSIDE = "inside content"

_SWAP = r"""
import os, sys
root, outside, stop_after, victims = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
os.chdir(root)
saved = {}
for victim in victims:  # real project files: alternately themselves (a fresh copy) and a link to the secret
    with open(victim, "rb") as fh:
        saved[victim] = fh.read()
rounds = 0
for n in range(stop_after):
    if not os.path.exists(os.path.join(root, ".swap-alive")):
        break
    rounds += 1
    for victim in victims:
        tmp = os.path.join(os.path.dirname(victim), ".swap.victim")
        with open(tmp, "wb") as fh:
            fh.write(saved[victim])
        os.replace(tmp, victim)
        os.symlink(os.path.join(outside, "secret.txt"), tmp)
        os.replace(tmp, victim)
    # the file: a regular file, then a link to the outside secret
    with open(".swap.reg", "w") as fh:
        fh.write("inside content\n" * 3)
    os.replace(".swap.reg", "swap.txt")
    os.symlink(os.path.join(outside, "secret.txt"), ".swap.lnk")
    os.replace(".swap.lnk", "swap.txt")
    # the directory: a real one, then a link to an outside directory holding a file of the same name
    os.symlink("real_dir", ".dir.lnk")
    os.replace(".dir.lnk", "dir")
    os.symlink(os.path.join(outside, "dir"), ".dir.lnk")
    os.replace(".dir.lnk", "dir")
for victim in victims:  # leave the project as it was
    tmp = os.path.join(os.path.dirname(victim), ".swap.victim")
    with open(tmp, "wb") as fh:
        fh.write(saved[victim])
    os.replace(tmp, victim)
with open(os.path.join(outside, "rounds"), "w") as fh:
    fh.write(str(rounds))
"""


def plant(root: Path, outside: Path) -> None:
    """The inside and outside objects the swapper alternates between (`swap.txt`, `dir/f.txt` in `root`)."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text(f"{SECRET}\n" * 3, encoding="utf-8")
    (outside / "dir").mkdir(exist_ok=True)
    (outside / "dir" / "f.txt").write_text(f"{SECRET}\n" * 3, encoding="utf-8")
    (outside / "dir" / f"{SECRET}.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (root / "swap.txt").write_text(f"{INSIDE}\n" * 3, encoding="utf-8")
    (root / "real_dir").mkdir(exist_ok=True)
    (root / "real_dir" / "f.txt").write_text(f"{INSIDE}\n" * 3, encoding="utf-8")
    (root / "dir").symlink_to("real_dir")


@contextmanager
def swapping(root: Path, outside: Path, max_swaps: int = 10_000_000, victims: tuple[str, ...] = ()
             ) -> Iterator[subprocess.Popen[bytes]]:
    """Run the swapper while the block runs; it stops when the block ends (or after `max_swaps` rounds).

    `victims` (paths relative to `root`) are real files swapped too; they are restored at the end. The number of
    rounds done is left in `outside / "rounds"`.
    """
    plant(root, outside)
    alive = root / ".swap-alive"
    alive.touch()
    proc = subprocess.Popen([sys.executable, "-c", _SWAP, str(root), str(outside), str(max_swaps), *victims])
    try:
        yield proc
    finally:
        alive.unlink(missing_ok=True)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
