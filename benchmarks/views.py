"""Bench section `views`: the HTML report over the 137 MB generated history (time and size against the issue's
bounds), and the status line after a new transcript line against a bare `python3 -c "import json, sqlite3"`.

The report is timed as a user runs it with the ledger up to date (`thrifty report html -o FILE`, a fresh process);
the first, cold run that also reads the whole history is reported without a target. The status line runs as Claude
Code runs it: a fresh bare interpreter, its JSON on stdin, one new line appended to the session's transcript before
each run, budgets set; interleaved with the bare interpreter so a noisy neighbour slows both alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import SERVER_DIR, Figure, base_python, interleaved_medians, median_seconds, run_command
from fixtures_gen.hooks import statusline_command
from fixtures_gen.synth import Session, append_line, dumps, write_history

SECTION = "views"
BARE = 'python3 -c "import json, sqlite3"'
RENDER_BOUND_S = 3.0
PAGE_BOUND_BYTES = 2_000_000


def run(quick: bool) -> list[Figure]:
    history_bytes = 20_000_000 if quick else 137_000_000
    repeat = 3 if quick else 5
    with tempfile.TemporaryDirectory(prefix="thrifty-bench-views-") as tmp:
        base = Path(tmp)
        root = base / "claude" / "projects"
        sessions = write_history(root, history_bytes, seed=11)
        size_mb = sum(p.stat().st_size for p in root.rglob("*.jsonl")) / 1e6
        env = {**os.environ, "CLAUDE_CONFIG_DIR": str(base / "claude"), "THRIFTY_DATA_DIR": str(base / "data"),
               "PYTHONPATH": str(SERVER_DIR), "NO_COLOR": "1", "CLAUDE_PLUGIN_OPTION_SESSION_USD": "50",
               "CLAUDE_PLUGIN_OPTION_DAILY_USD": "200"}
        for name in ("CLAUDE_PLUGIN_DATA", "CLAUDE_PROJECT_DIR"):
            env.pop(name, None)
        page = base / "report.html"
        html = [sys.executable, "-m", "thrifty", "report", "html", "-o", str(page)]
        start = time.perf_counter()
        subprocess.run(html, env=env, check=True, stdout=subprocess.DEVNULL)
        cold_s = time.perf_counter() - start
        warm_s = median_seconds(run_command(html, env=env), repeat=repeat)
        page_bytes = page.stat().st_size
        line_s, bare_s = _statusline(sessions[len(sessions) // 2], env, 7 if quick else 21)
    size = f"{size_mb:.0f} MB of generated transcripts, {len(sessions)} sessions"
    return [
        Figure.compare(SECTION, "report html, ledger up to date", warm_s, "s", "issue bound", RENDER_BOUND_S,
                       at_most=1.0, note=f"{size}; first run over the unread history {cold_s:.2f} s"),
        Figure.compare(SECTION, "report html: page size", page_bytes, "bytes", "issue bound", PAGE_BOUND_BYTES,
                       at_most=1.0, note=size),
        Figure.compare(SECTION, "statusline after one new line", line_s, "s", BARE, bare_s, at_most=3.0,
                       note=f"{size} in the ledger; session and daily budgets set; {base_python()}"),
    ]


def _statusline(session: Session, env: dict[str, str], repeat: int) -> tuple[float, float]:
    main = session.main
    event = json.dumps({"session_id": main.session_id, "transcript_path": str(main.path), "cwd": "/tmp",
                        "workspace": {"current_dir": "/tmp", "project_dir": "/tmp"}}).encode()
    python = base_python()
    counter = iter(range(1_000_000))

    def one_more_line_then_statusline() -> None:
        n = next(counter)
        model = main.responses[-1].model
        append_line(main.path, dumps({
            "type": "assistant", "sessionId": main.session_id, "version": "2.1.330", "gitBranch": "main",
            "timestamp": "2026-11-21T10:00:00.000Z", "requestId": f"req_views{n}",
            "message": {"id": f"msg_views{n}", "model": model, "role": "assistant",
                        "content": [{"type": "text", "text": "ok"}],
                        "usage": {"input_tokens": 3, "output_tokens": 5, "cache_read_input_tokens": 100,
                                  "cache_creation_input_tokens": 0}}}))
        done = subprocess.run(statusline_command(python), input=event, env=env, capture_output=True, check=True)
        if not done.stdout.startswith(b"thrifty $"):
            raise RuntimeError(f"unexpected status line: {done.stdout[:200]!r}")

    line_s, bare_s = interleaved_medians(one_more_line_then_statusline,
                                         run_command([python, "-c", "import json, sqlite3"], env=env), repeat)
    log = Path(env["THRIFTY_DATA_DIR"]) / "hooks.log"
    if log.exists():
        raise RuntimeError(f"the status line logged errors during the benchmark: {log.read_text('utf-8')[-500:]}")
    return line_s, bare_s
