"""Bench section `ledger`: `thrifty report` against ccusage on one generated history, cold and warm, and the Stop
hook after one new line in a large transcript against a bare `python3 -c "import json, sqlite3"`.

The history comes from the test suite's generator, tests/fixtures_gen/synth.py (137 MB in full mode). Both tools
read the same tree in the same run; ccusage gets its own empty cache dir. The hook runs as Claude Code runs it: a
fresh interpreter, JSON on stdin.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import REPO, SERVER_DIR, Figure, base_python, median_seconds, run_command
from fixtures_gen.hooks import hook_command
from fixtures_gen.synth import append_line, dumps, realistic_session, write_history

SECTION = "ledger"
CCUSAGE_VERSION = "20.0.24"


def find_ccusage() -> str | None:
    """ccusage on PATH, else the pinned copy in `<repo>/.tools/node_modules/.bin`."""
    found = shutil.which("ccusage")
    if found:
        return found
    local = REPO / ".tools" / "node_modules" / ".bin" / "ccusage"
    return str(local) if local.exists() and shutil.which("node") else None


def run(quick: bool) -> list[Figure]:
    ccusage = find_ccusage()
    if ccusage is None:
        raise RuntimeError(f"ccusage not found on PATH or in {REPO}/.tools; install it with "
                           f"`npm install --prefix {REPO}/.tools ccusage@{CCUSAGE_VERSION}`")
    history_bytes = 20_000_000 if quick else 137_000_000
    repeat = 3 if quick else 5
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-ledger-") as tmp:
        base = Path(tmp)
        config, data = base / "claude", base / "data"
        write_history(config / "projects", history_bytes, seed=11)
        env = {**os.environ, "CLAUDE_CONFIG_DIR": str(config), "THRIFTY_DATA_DIR": str(data),
               "XDG_CACHE_HOME": str(base / "cache"), "NO_COLOR": "1"}
        env.pop("CLAUDE_PLUGIN_DATA", None)
        size_mb = _tree_bytes(config / "projects") / 1e6
        ours = [sys.executable, "-m", "thrifty", "report", "sessions", "--json"]
        theirs = [ccusage, "claude", "session", "--json", "--offline"]
        ccusage_s, cold_s, warm_s = _interleaved(run_command(theirs, env=env), run_command(ours, env=env),
                                                 lambda: shutil.rmtree(data, ignore_errors=True), repeat)
        sessions, agreeing = _agreement(ours, theirs, env)
        hook_s, bare_s, transcript_mb = _hook_latency(base / "hook", quick, repeat)
    size = f"{size_mb:.0f} MB of generated transcripts"
    return [
        Figure.compare(SECTION, "sessions equal to ccusage", agreeing, "sessions", "sessions ccusage reports", sessions,
                       at_least=1.0, note=f"{size}; tokens of every kind exact, cost within 0.1%"),
        Figure.compare(SECTION, "warm report (ledger up to date)", warm_s, "s", "ccusage claude session", ccusage_s,
                       at_most=0.2, note=f"{size}; `thrifty report sessions --json`; median of {repeat}"),
        Figure.compare(SECTION, "cold report (never-seen history)", cold_s, "s", "ccusage claude session",
                       ccusage_s, at_most=2.0, note=f"{size}; empty ledger each run; median of {repeat}"),
        Figure.compare(SECTION, "Stop hook after one new line", hook_s, "s", 'python3 -c "import json, sqlite3"',
                       bare_s, at_most=2.0, note=f"{transcript_mb:.0f} MB transcript; {base_python()}"),
    ]


def _tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.jsonl"))


def _interleaved(theirs: Callable[[], object], ours: Callable[[], object], reset: Callable[[], None],
                 repeat: int) -> tuple[float, float, float]:
    """Median seconds of ccusage, of our cold report (empty ledger) and of our warm one (right after the cold one
    brought the ledger up to date), measured in rounds so a busy machine's load falls on all three alike."""
    times: tuple[list[float], list[float], list[float]] = ([], [], [])
    for round_ in range(repeat + 1):  # round 0 warms the page cache and bytecode, unmeasured
        for measured, fn in zip(times, (theirs, ours, ours), strict=True):
            if measured is times[1]:
                reset()
            start = time.perf_counter()
            fn()
            if round_:
                measured.append(time.perf_counter() - start)
    ccusage_s, cold_s, warm_s = (statistics.median(t) for t in times)
    return ccusage_s, cold_s, warm_s


def _agreement(ours: list[str], theirs: list[str], env: dict[str, str]) -> tuple[int, int]:
    """How many sessions ccusage reports, and how many of ours equal them (tokens exact, cost within 0.1%)."""
    mine = json.loads(subprocess.run(ours, env=env, capture_output=True, check=True).stdout)["sessions"]
    other = json.loads(subprocess.run(theirs, env=env, capture_output=True, check=True).stdout)["sessions"]
    by_id = {s["session_id"]: s for s in mine}
    differ = 0
    for s in other:
        m = by_id.get(s["sessionId"])
        same = m is not None and (m["input_tokens"], m["output_tokens"], m["cache_creation_tokens"],
                                  m["cache_read_tokens"]) == (s["inputTokens"], s["outputTokens"],
                                                             s["cacheCreationTokens"], s["cacheReadTokens"])
        cost_ok = m is not None and abs((m["cost_usd"] or 0) - s["totalCost"]) <= 0.001 * max(s["totalCost"], 1e-9)
        differ += not (same and cost_ok)
    differ += max(len(mine) - len(other), 0)  # sessions only we report count against us too
    return len(other), len(other) - differ


def _hook_latency(base: Path, quick: bool, repeat: int) -> tuple[float, float, float]:
    """Median seconds of the Stop hook after one appended line, of a bare interpreter, and the transcript's MB."""
    config = base / "claude"
    session = realistic_session(config / "projects", seed=5, turns=400 if quick else 1200, subagents=3,
                                result_chars=40_000)
    transcript = session.main.path
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(config), "THRIFTY_DATA_DIR": str(base / "data"),
           "PYTHONPATH": str(SERVER_DIR)}
    env.pop("CLAUDE_PLUGIN_DATA", None)
    event = json.dumps({"session_id": session.session_id, "transcript_path": str(transcript), "cwd": str(base),
                        "hook_event_name": "Stop", "stop_hook_active": False}).encode()
    hook = hook_command("stop", base_python())
    subprocess.run(hook, input=event, env=env, check=True, capture_output=True)  # the first run reads it all
    counter = iter(range(1_000_000))

    def one_more_line_then_hook() -> None:
        n = next(counter)
        response = session.main.responses[-1]
        line = dumps({"type": "assistant", "sessionId": session.session_id, "version": "2.1.330",
                      "timestamp": "2026-11-21T10:00:00.000Z", "requestId": f"req_bench{n}",
                      "message": {"id": f"msg_bench{n}", "model": response.model, "role": "assistant",
                                  "content": [{"type": "text", "text": "ok"}],
                                  "usage": {"input_tokens": 3, "output_tokens": 5, "cache_read_input_tokens": 100,
                                            "cache_creation_input_tokens": 0}}})
        append_line(transcript, line)
        subprocess.run(hook, input=event, env=env, check=True, capture_output=True)

    hook_s = median_seconds(one_more_line_then_hook, repeat=repeat * 2)
    bare_s = median_seconds(run_command([base_python(), "-c", "import json, sqlite3"]), repeat=repeat * 2)
    log = base / "data" / "hooks.log"
    if log.exists():
        raise RuntimeError(f"the hook logged errors during the benchmark: {log.read_text(encoding='utf-8')[-500:]}")
    return hook_s, bare_s, transcript.stat().st_size / 1e6
