"""Bench section `team`: `thrifty sync` of a generated history into a throwaway PostgreSQL, first and again,
`thrifty report --db` over it, and `thrifty export otlp` of the same history to a local receiver.

References, measured in the same run on the same history: the issue's limit for a first sync (30 s for 137 MB),
`thrifty report` reading the history the first time (cold) and with the ledger up to date (warm). The ledger is
ingested before the syncs are timed, so a sync is measured alone. Needs PostgreSQL (see `pgserver`) and the
`team` extra.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import Figure, median_seconds, run_command
from fixtures_gen.otlp_receiver import otlp_receiver
from fixtures_gen.pgserver import create_database, temp_postgres
from fixtures_gen.synth import write_history

SECTION = "team"
FIRST_SYNC_LIMIT_S = 30.0  # issue 16: a 137 MB history syncs in at most 30 s the first time


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _checked(cmd: list[str], env: dict[str, str]) -> Callable[[], object]:
    def go() -> object:
        import subprocess

        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[2:4])} failed: {result.stderr.strip()}")
        return result

    return go


def run(quick: bool) -> list[Figure]:
    history_bytes = 20_000_000 if quick else 137_000_000
    repeat = 3 if quick else 5
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-team-") as tmp, \
            temp_postgres("bench-password") as server:
        base = Path(tmp)
        config, data = base / "claude", base / "data"
        write_history(config / "projects", history_bytes, seed=16)
        size_mb = sum(p.stat().st_size for p in (config / "projects").rglob("*.jsonl")) / 1e6
        env = {**os.environ, "CLAUDE_CONFIG_DIR": str(config), "THRIFTY_DATA_DIR": str(data), "NO_COLOR": "1",
               "THRIFTY_USER": "bench", "THRIFTY_HOST": "bench"}
        env.pop("CLAUDE_PLUGIN_DATA", None)
        thrifty = [sys.executable, "-m", "thrifty"]
        report = [*thrifty, "report", "sessions", "--json"]
        cold_s = _timed(run_command(report, env=env))  # the first ingest of this history
        warm_s = median_seconds(run_command(report, env=env), repeat=repeat)
        first: list[float] = []
        url = ""
        for index in range(repeat):  # a fresh database each time: every run is a first sync
            url = create_database(server, f"bench_{index}")
            first.append(_timed(_checked([*thrifty, "sync", "--db", url], env)))
        first_s = statistics.median(first)
        again_s = median_seconds(_checked([*thrifty, "sync", "--db", url], env), repeat=repeat)
        team_s = median_seconds(_checked([*thrifty, "report", "sessions", "--json", "--db", url], env),
                                repeat=repeat)
        with otlp_receiver() as receiver:
            export_s = _timed(_checked([*thrifty, "export", "otlp", "--endpoint", receiver.url], env))
    size = f"{size_mb:.0f} MB of generated transcripts"
    return [
        Figure.compare(SECTION, "first sync", first_s, "s", "the issue's limit", FIRST_SYNC_LIMIT_S, at_most=1.0,
                       note=f"{size}, ledger already ingested; fresh database each run"),
        Figure.compare(SECTION, "first sync vs reading the history", first_s, "s", "cold thrifty report", cold_s,
                       at_most=2.0, note=size),
        Figure.compare(SECTION, "sync with nothing new", again_s, "s", "warm thrifty report", warm_s, at_most=2.0,
                       note=size),
        Figure.compare(SECTION, "team report (sessions, --db)", team_s, "s", "warm thrifty report", warm_s,
                       at_most=4.0, note=f"{size}, one machine in the team database"),
        Figure.compare(SECTION, "first OTLP export", export_s, "s", "cold thrifty report", cold_s, at_most=2.0,
                       note=f"{size} to a local OTLP/HTTP receiver"),
    ]
