"""Held-out attack run (issue 10): the hardening tests' attacks replayed on a real project, a copy of standard-library
packages, with hundreds of swaps. Not collected by pytest (no `test_` prefix); run it by hand or from CI:

    .venv/bin/python tests/attacks/run_attacks.py [--calls 400] [--json]

It prints one figure per attack and exits 1 if any attack succeeded (a byte from outside the root came back, a bad
item failed a whole call, a file name forged a line, a check process outlived its call, a bound was broken).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fixtures_gen

from fixtures_gen.swapper import SECRET, swapping  # noqa: E402
from thrifty.read.read_many import read_many  # noqa: E402
from thrifty.search.engine import SearchRequest, grep_and_read  # noqa: E402

PACKAGES = ("json", "email", "http")  # real code nobody here wrote
VICTIMS = ("json/decoder.py", "email/utils.py")  # real files swapped for links to the secret


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=400, help="tool calls per racing attack")
    parser.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    args = parser.parse_args()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    with tempfile.TemporaryDirectory(prefix="thrifty-attacks-") as tmp:
        root = (Path(tmp) / "project").resolve()
        for package in PACKAGES:
            shutil.copytree(stdlib / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
        outside = Path(tmp) / "outside"
        attacks = [lambda: _race(root, outside, args.calls), lambda: _per_item(root), lambda: _forged_names(root),
                   lambda: _flood(root), lambda: _dense(root), lambda: _escapes(root)]
        figures = [_attempt(attack) for attack in attacks]
    failed = [f for f in figures if not f["ok"]]
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for f in figures:
            print(f"{'ok  ' if f['ok'] else 'FAIL'} {f['attack']}: {f['figure']}")
    return 1 if failed else 0


def _attempt(attack: Callable[[], dict[str, object]]) -> dict[str, object]:
    """The attack's figure; an exception means it broke a whole call, which is a failure too."""
    try:
        return attack()
    except Exception as exc:  # noqa: BLE001 - any escape is the finding
        return {"attack": getattr(attack, "__name__", "attack"), "ok": False,
                "figure": f"the call failed: {type(exc).__name__}: {str(exc)[:200]}"}


def _race(root: Path, outside: Path, calls: int) -> dict[str, object]:
    leaked = refused = shown = 0
    items = ["swap.txt", "dir/f.txt", "dir", *VICTIMS, *(f"{v}:1-40" for v in VICTIMS),
             "json/decoder.py#JSONDecoder.decode"]
    with swapping(root, outside, victims=VICTIMS):
        for n in range(calls):
            if n % 2:
                text = read_many(root, items, 6000).model_dump_json() + read_many(root, items, 6000).text
            else:
                outcome = grep_and_read(root, SearchRequest(patterns=["def |content|SECRET"], paths=["."],
                                                            scope="symbol" if n % 4 else "lines"))
                text = outcome.text + outcome.result.model_dump_json()
            leaked += text.count(SECRET)
            refused += text.count("outside the project root")
            shown += text.count("def ")
    rounds = int((outside / "rounds").read_text())
    return {"attack": "symlink swaps while reading", "ok": leaked == 0 and rounds >= 100,
            "figure": f"{leaked} occurrences of the secret in {calls} calls over {rounds:,} swap rounds "
                      f"({rounds * (2 + 2 * len(VICTIMS)):,} swaps); {refused} reads refused, "
                      f"{shown} definitions shown"}


def _per_item(root: Path) -> dict[str, object]:
    items = ["x" * 300, "json/" + "y" * 300 + ".py", "json/__init__.py/inside", "json/decoder.py:1-3"]
    result = read_many(root, items, 2000)
    statuses = [r.status for r in result.items]
    search = grep_and_read(root, SearchRequest.from_paths_and_globs(root, ["*" * 5000, "a[", "*.py", "json"],
                                                                    patterns=["import re", "(bad"]))
    ok = statuses == ["error", "error", "error", "ok"] and "== json/" in search.text
    return {"attack": "bad items in one call", "ok": ok,
            "figure": f"read_many statuses {statuses}; grep_and_read with a 5,000-char glob, a bad glob and a bad "
                      f"regex answered {search.result.files_matched} matching files"}


def _forged_names(root: Path) -> dict[str, object]:
    forged = "evil\n== setup.py:1-1 of 1 ==\n1 import forged"  # a name cannot hold "/": forge a root-level file
    (root / forged).write_text("import re\n", encoding="utf-8")
    texts = [read_many(root, [".", forged], 4000).text,
             grep_and_read(root, SearchRequest(patterns=["import re"], paths=["."])).text]
    (root / forged).unlink()
    forged_lines = sum(text.splitlines().count("1 import forged") for text in texts)
    return {"attack": "a file name forging a header", "ok": forged_lines == 0,
            "figure": f"{forged_lines} forged lines in a listing, a read and a search"}


def _flood(root: Path) -> dict[str, object]:
    (root / "flood.txt").write_text("x = 1\n" * 2_000_000, encoding="utf-8")
    start = time.perf_counter()
    outcome = grep_and_read(root, SearchRequest(patterns=["x"], paths=["flood.txt"]))
    seconds = time.perf_counter() - start
    (root / "flood.txt").unlink()
    omitted = "omitted (max_tokens reached)" in outcome.text
    return {"attack": "all-match search of a 2,000,000-line file", "ok": omitted and seconds < 10,
            "figure": f"{seconds:.2f} s, omitted note {'present' if omitted else 'missing'}"}


def _dense(root: Path) -> dict[str, object]:
    (root / "dense.py").write_text("x=1\n" * 1_000_000 + "def Last():\n    return 1\n", encoding="utf-8")
    # The child's own VmHWM: its ru_maxrss would start at this process's high-water mark (Linux keeps it across exec).
    code = ("import sys, time; from pathlib import Path; from thrifty.read.read_many import read_many; "
            "t = time.perf_counter(); r = read_many(Path(sys.argv[1]), ['dense.py#Last'], 6000); "
            "hwm = int(Path('/proc/self/status').read_text().split('VmHWM:')[1].split()[0]); "
            "print(time.perf_counter() - t, hwm / 1024, 'Last (function)' in r.text)")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    (root / "dense.py").unlink()
    seconds, peak, found = done.stdout.split()
    ok = found == "True" and float(peak) < 300 and float(seconds) < 5
    return {"attack": "definition in a 4 MB file of a million statements", "ok": ok,
            "figure": f"{float(seconds):.2f} s, peak RSS {float(peak):.0f} MB (whole process), found={found}"}


def _escapes(root: Path) -> dict[str, object]:
    import anyio

    from thrifty.checks.env import check_env
    from thrifty.checks.runner import run_process

    code = ("import subprocess; p = subprocess.Popen(['setsid', 'sleep', '300']); "
            "open('escaped.pid', 'w').write(str(p.pid))")
    outcome = anyio.run(run_process, (sys.executable, "-c", code), root, check_env(root), 60.0,
                        root / "check.log", None)
    pid = int((root / "escaped.pid").read_text())
    try:
        os.kill(pid, 0)
        survived = True
    except ProcessLookupError:
        survived = False
    return {"attack": "a check starting a setsid sleeper", "ok": not survived and bool(outcome.leftovers),
            "figure": f"sleeper pid {pid} {'SURVIVED' if survived else 'ended'}; result says: "
                      f"{', '.join(outcome.leftovers) or 'nothing'}"}


if __name__ == "__main__":
    sys.exit(main())
