"""Bench section `fleet`: the PreToolUse hook's latency and `thrifty watch`'s update latency.

PreToolUse runs as Claude Code runs it (a fresh bare interpreter, JSON on stdin) against a ledger of many generated
sessions with session, subagent and daily budgets (USD and tokens) and the loop guard on; the reference is a bare
`python3 -c "import json, sqlite3"` under the same interpreter. The async PostToolUse (ingesting one new turn) is
reported against the same reference, without a target. Watch: `thrifty watch --jsonl` on the same tree; the time
from appending a turn to a transcript until watch prints the session with its new cost, against the issue's 2 s
bound; and its CPU use while nothing is written.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import SERVER_DIR, Figure, base_python, interleaved_medians, run_command
from fixtures_gen.hooks import hook_command
from fixtures_gen.synth import Session, realistic_session

SECTION = "fleet"
BARE = 'python3 -c "import json, sqlite3"'
WATCH_TARGET_S = 2.0
BUDGETS = {"session_usd": "500", "session_tokens": "900M", "subagent_usd": "100", "daily_usd": "5000",
           "daily_tokens": "9B"}


def run(quick: bool) -> list[Figure]:
    sessions = 60 if quick else 400
    repeat = 7 if quick else 21
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-fleet-") as tmp:
        base = Path(tmp)
        env = {**os.environ, "CLAUDE_CONFIG_DIR": str(base / "claude"), "THRIFTY_DATA_DIR": str(base / "data"),
               "PYTHONPATH": str(SERVER_DIR), "NO_COLOR": "1"}
        for name in ("CLAUDE_PLUGIN_DATA", "CLAUDE_PROJECT_DIR"):
            env.pop(name, None)
        env.update({f"CLAUDE_PLUGIN_OPTION_{k.upper()}": v for k, v in BUDGETS.items()})
        root = base / "claude" / "projects"
        made = _history(root, sessions)
        _ingest(env)
        target = made[len(made) // 2]
        pre_s, bare_s = _pre_tool_use(target, base / "project", env, repeat)
        steer_s, steer_bare_s = _pre_tool_use(target, base / "project", env, repeat, big_file=True)
        post_s = _post_tool_use(target, base / "project", env, max(3, repeat // 3))
        update_s, worst_s, idle_cpu = _watch(root, env, 3 if quick else 7)
    python = base_python()
    return [
        Figure.compare(SECTION, "PreToolUse decision (budgets + loop guard)", pre_s, "s", BARE, bare_s, at_most=2.0,
                       note=f"{sessions} sessions in the ledger; 5 budgets set; {python}"),
        Figure.compare(SECTION, "PreToolUse with steering: whole Read of a 3,000-line file", steer_s, "s", BARE,
                       steer_bare_s, at_most=4.0, note="stat + line count of the file, quiet-window lookup, hint"),
        Figure.compare(SECTION, "PostToolUse (async): ingest one new turn", post_s, "s", BARE, bare_s,
                       note="runs in the background; keeps PreToolUse's spend current within a long turn"),
        Figure.compare(SECTION, "watch --jsonl: appended turn to printed update", update_s, "s",
                       "issue bound", WATCH_TARGET_S, at_most=1.0, note=f"median; worst {worst_s:.3f} s"),
        Figure.compare(SECTION, "watch idle CPU", idle_cpu, "% of a core", "1% of a core", 1.0, at_most=1.0,
                       note="CPU time of the watch process over idle seconds (Linux /proc)"),
    ]


def _history(root: Path, count: int) -> list[Session]:
    start = datetime.now(UTC) - timedelta(hours=3)
    return [realistic_session(root, seed=9_000 + index, turns=30, subagents=2,
                              start=start + timedelta(seconds=20 * index)) for index in range(count)]


def _ingest(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "thrifty", "report", "sessions", "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _event(session: Session, cwd: Path, index: int, **extra: object) -> str:
    event = {"session_id": session.session_id, "transcript_path": str(session.main.path), "cwd": str(cwd),
             "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Read",
             "tool_input": {"file_path": f"{cwd}/src/module_{index}.py"}, "tool_use_id": f"toolu_bench{index:06d}"}
    event.update(extra)
    return json.dumps(event)


def _pre_tool_use(session: Session, cwd: Path, env: dict[str, str], repeat: int, big_file: bool = False
                  ) -> tuple[float, float]:
    """Median seconds of PreToolUse on a Read and of the bare reference; `big_file`: the Read is of a 3,000-line
    file without a range (the steering hint's own path: a stat and a line count on every such call)."""
    cwd.mkdir(exist_ok=True)
    python = base_python()
    counter = iter(range(10**6))
    big = [cwd / f"big_module_{n}.py" for n in range(2 * repeat + 2)]  # distinct: the loop guard stays out of it
    if big_file:
        text = "".join(f"def helper_{i}(value):\n    return value * {i}\n" for i in range(1500))
        for path in big:
            path.write_text(text, encoding="utf-8")

    def hook() -> None:
        index = next(counter)
        extra = {"tool_input": {"file_path": str(big[index % len(big)])}} if big_file else {}
        done = subprocess.run(hook_command("pre-tool-use", python), input=_event(session, cwd, index,
                              **extra).encode(), capture_output=True, env=env, check=False)
        if done.returncode or b"deny" in done.stdout:
            raise RuntimeError(f"unexpected hook answer: {done.stdout[:300]!r} {done.stderr[:300]!r}")

    return interleaved_medians(hook, run_command([python, "-c", "import json, sqlite3"], env=env), repeat)


def _post_tool_use(session: Session, cwd: Path, env: dict[str, str], repeat: int) -> float:
    python = base_python()
    times = []
    for index in range(repeat):
        response = session.main.respond("claude-sonnet-4-6", tools=("Read",))
        session.main.tool_results(response, [3_000])
        session.main.save()
        payload = _event(session, cwd, 500_000 + index, hook_event_name="PostToolUse",
                         tool_response={"content": f"result {index}"}).encode()
        start = time.perf_counter()
        subprocess.run(hook_command("post-tool-use", python), input=payload, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _watch(root: Path, env: dict[str, str], appends: int) -> tuple[float, float, float]:
    """(median and worst seconds from append to printed update, idle CPU % of one core)."""
    proc = subprocess.Popen([sys.executable, "-m", "thrifty", "watch", "--jsonl"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True)
    reader.start()
    try:
        session = realistic_session(root, seed=77_777, turns=6, subagents=0, start=datetime.now(UTC))
        turns = _wait(lines, session.session_id, None, 120.0)
        times = []
        for index in range(appends + 1):
            session.main.respond("claude-sonnet-4-6", output=1_000 + index)
            start = time.perf_counter()
            session.main.save()
            turns = _wait(lines, session.session_id, turns + 1, 30.0)
            if index:  # the first append also proves the watch is in place; it is not timed
                times.append(time.perf_counter() - start)
        idle = _idle_cpu_percent(proc.pid, 3.0)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        reader.join(timeout=30)
        stdout.close()
    return statistics.median(times), max(times), idle


def _wait(lines: queue.Queue[str], session_id: str, turns: int | None, deadline_s: float) -> int:
    """The session's turn count once watch prints it (with `turns` turns, when given)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            data = json.loads(lines.get(timeout=max(0.0, end - time.monotonic())))
        except queue.Empty:
            break
        if data.get("session_id") == session_id and (turns is None or data.get("turns") == turns):
            return int(data["turns"])
    raise RuntimeError(f"watch printed no update for {session_id} within {deadline_s} s")


def _idle_cpu_percent(pid: int, seconds: float) -> float:
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    before, start = cpu(), time.monotonic()
    time.sleep(seconds)  # the measured idle period itself
    return (cpu() - before) / (time.monotonic() - start) * 100
