"""Bench section `read_tools`: read_many and grep_and_read against whole-file reads, Grep + Read and plain rg."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks import Figure, _grep_and_read, _hardening, _read_many

# One entry per group of figures; each tool's owner adds theirs.
FIGURES: list[Callable[[bool], list[Figure]]] = [_grep_and_read.figures, _read_many.figures, _hardening.figures]


def run(quick: bool) -> list[Figure]:
    return [figure for figures in FIGURES for figure in figures(quick)]
