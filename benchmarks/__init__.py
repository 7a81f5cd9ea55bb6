"""The benchmark: performance and size claims as ratios against a reference measured in the same run.

Dev tooling, not part of the installed package: run it from a source checkout with `python -m benchmarks` (or
`thrifty bench`, which runs this). Each section is a module here exposing `run(quick: bool) -> list[Figure]`. A
figure compares a measured value with a named reference (rg, a bare import, ccusage, whole-file reads...) and, when
an issue sets one, with a target ratio.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

REPO = Path(__file__).resolve().parents[1]
SERVER_DIR = REPO / "server"


def base_python() -> str:
    """The real interpreter behind the venv: hooks run under a plain `python3`, not the plugin's venv."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


# The sections generate their transcripts with the test suite's generator (tests/fixtures_gen/synth.py).
_TESTS = str(REPO / "tests")
if _TESTS not in sys.path:
    sys.path.append(_TESTS)

SECTIONS = ["server", "read_tools", "ledger", "checks", "fleet", "views", "team", "realclient"]


class Figure(BaseModel):
    section: str
    name: str
    value: float
    unit: str
    reference_name: str
    reference_value: float
    ratio: float  # value / reference_value
    target: str = ""  # e.g. "<= 1.5x" or ">= 15x fewer"; empty when the issue sets none
    ok: bool | None = None  # None when there is no target
    note: str = ""

    @classmethod
    def compare(
        cls,
        section: str,
        name: str,
        value: float,
        unit: str,
        reference_name: str,
        reference_value: float,
        *,
        at_most: float | None = None,
        at_least: float | None = None,
        note: str = "",
    ) -> Figure:
        """A figure whose ratio value/reference must be <= `at_most` or >= `at_least` (when given)."""
        ratio = value / reference_value if reference_value else float("inf")
        ok: bool | None = None
        target = ""
        if at_most is not None:
            ok, target = ratio <= at_most, f"<= {at_most:g}x"
        elif at_least is not None:
            ok, target = ratio >= at_least, f">= {at_least:g}x"
        return cls(
            section=section, name=name, value=value, unit=unit, reference_name=reference_name,
            reference_value=reference_value, ratio=ratio, target=target, ok=ok, note=note,
        )


class BenchReport(BaseModel):
    figures: list[Figure]
    failed_sections: dict[str, str] = {}


def median_seconds(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of `fn` over `repeat` runs after `warmup` unmeasured runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(subject: Callable[[], object], reference: Callable[[], object], repeat: int
                        ) -> tuple[float, float]:
    """Median wall times of `subject` and `reference`, each run once first, then run in turns so that a noisy
    neighbour slows both alike."""
    subject()
    reference()
    subject_times, reference_times = [], []
    for _ in range(repeat):
        subject_times.append(median_seconds(subject, repeat=1, warmup=0))
        reference_times.append(median_seconds(reference, repeat=1, warmup=0))
    return statistics.median(subject_times), statistics.median(reference_times)


def run_command(cmd: Sequence[str], env: Mapping[str, str] | None = None) -> Callable[[], object]:
    """A callable running `cmd` to completion (output discarded), for `median_seconds`."""
    def go() -> object:
        return subprocess.run(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)

    return go


Mode = Literal["quick", "full"]
