"""Hardening figures for the read_tools section (issue 10): a flood of matches and a dense 4 MB Python file.

- all-match search of a 2,000,000-line file: grep_and_read's wall time against plain rg printing every match
  number of the same file (the reference), and against the issue's 10 s limit;
- `read_many(["dense.py#Last"])` on a 4 MB file of a million statements: peak RSS of a fresh process against the
  same process that only imports the tool (the reference), and wall time against reading and splitting the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import Figure
from thrifty.search.rg import find_rg

SECTION = "read_tools"
FLOOD_LINES = 2_000_000
DENSE_STATEMENTS = 1_000_000
FLOOD_LIMIT_S = 10.0  # issue 10: "an all-match search of a 2M-line file returns in under 10 s"
PEAK_LIMIT_MB = 300.0  # issue 10: "a new peak above 300 MB for any single call is a bug"

_MEASURE = r"""
import json, sys, time
from pathlib import Path
root, call = Path(sys.argv[1]), sys.argv[2]
from thrifty.read.read_many import read_many
from thrifty.search.engine import SearchRequest, grep_and_read
start = time.perf_counter()
if call == "flood":
    text = grep_and_read(root, SearchRequest(patterns=["x"])).text
elif call == "dense":
    text = read_many(root, ["dense.py#Last"], 6000).text
elif call == "read":
    text = str(len((root / "dense.py").read_text().splitlines()))
else:
    text = ""
# VmHWM, not ru_maxrss: Linux carries the parent's high-water RSS into a forked and exec'd child's ru_maxrss, so a
# benchmark process grown large would be reported as this child's peak.
peak_kb = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
print(json.dumps({"seconds": time.perf_counter() - start, "text": text[-300:], "peak_mb": peak_kb / 1024}))
"""


def figures(quick: bool) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-hard-") as tmp:
        root = Path(tmp).resolve()
        (root / "flood.txt").write_text("x = 1\n" * FLOOD_LINES, encoding="utf-8")
        (root / "dense.py").write_text("x=1\n" * DENSE_STATEMENTS + "def Last():\n    return 1\n", encoding="utf-8")
        return [*_flood(root), *_dense(root)]


def _measure(root: Path, call: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(root), call], capture_output=True, text=True,
                          check=True, timeout=600)
    return json.loads(done.stdout)


def _flood(root: Path) -> list[Figure]:
    measured = _measure(root, "flood")
    seconds = float(measured["seconds"])
    start = time.perf_counter()
    subprocess.run([find_rg(), "-n", "--regexp=x", "--", "flood.txt"], cwd=root, capture_output=True, check=False)
    reference = time.perf_counter() - start
    omitted = "omitted (max_tokens reached)" in str(measured["text"])
    note = f"{FLOOD_LINES:,} matching lines; omitted note {'present' if omitted else 'MISSING'}; " \
           f"peak RSS {float(measured['peak_mb']):.0f} MB"
    return [
        Figure.compare(SECTION, f"all-match search of a {FLOOD_LINES:,}-line file", seconds, "s",
                       "rg -n printing every match of the same file", reference, note=note),
        Figure.compare(SECTION, f"all-match search of a {FLOOD_LINES:,}-line file, against the limit", seconds, "s",
                       "issue 10's limit", FLOOD_LIMIT_S, at_most=1.0 if omitted else 0.0, note=note),
    ]


def _dense(root: Path) -> list[Figure]:
    dense, bare, read = _measure(root, "dense"), _measure(root, "imports"), _measure(root, "read")
    found = "Last (function)" in str(dense["text"])
    note = f"4 MB file of {DENSE_STATEMENTS:,} statements; definition {'found' if found else 'NOT FOUND'}"
    peak, bare_peak = float(dense["peak_mb"]), float(bare["peak_mb"])
    return [
        Figure.compare(SECTION, "read_many dense.py#Last (4 MB): peak RSS", peak, "MB",
                       "the same process importing the tools only", bare_peak, note=note),
        Figure.compare(SECTION, "read_many dense.py#Last (4 MB): peak RSS, against the limit", peak, "MB",
                       "issue 10's limit", PEAK_LIMIT_MB, at_most=1.0 if found else 0.0, note=note),
        Figure.compare(SECTION, "read_many dense.py#Last (4 MB): wall time", float(dense["seconds"]), "s",
                       "reading and splitting the file in Python", float(read["seconds"]), note=note),
    ]
