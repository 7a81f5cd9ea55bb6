"""Run ripgrep without a shell, bounded in time and output, and name the patterns it cannot compile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from thrifty.errors import ToolError

RG_TIMEOUT_SECONDS = 20.0
MAX_OUTPUT_BYTES = 32 * 1024 * 1024  # ~5 million matches in the compact format below
MAX_STDERR_BYTES = 64 * 1024
_EXE = "rg.exe" if os.name == "nt" else "rg"

# One block per file: `path\0` then one `LINE:` row per match occurrence (`-o` with an empty replacement prints
# no text), blocks separated by a blank line. The text itself is read from the file only for what is shown.
_OUTPUT_FLAGS = ["--heading", "--null", "--with-filename", "--line-number", "--only-matching", "--replace=",
                 "--color=never"]


class RgNotFound(ToolError):
    """No ripgrep binary next to the interpreter or on PATH."""


@dataclass(frozen=True)
class RgRun:
    stdout: bytes
    stderr: str
    returncode: int
    timed_out: bool
    capped: bool  # stopped reading at MAX_OUTPUT_BYTES


def find_rg() -> str:
    """The `rg` the ripgrep wheel put next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / _EXE  # not resolved: in a venv, bin/python is a symlink out of it
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(_EXE)
    if found:
        return found
    raise RgNotFound(
        f"ripgrep (rg) not found next to {sys.executable} or on PATH; "
        "reinstall thrifty (it depends on the ripgrep==14.1.0 wheel) or install ripgrep"
    )


def search_argv(rg: str, patterns: list[str], globs: list[str], targets: list[str]) -> list[str]:
    """The argument list: `--regexp=`/`--glob=` keep a leading '-' from being a flag; paths follow `--`."""
    argv = [rg, "--no-config", *_OUTPUT_FLAGS]
    argv += [f"--regexp={p}" for p in patterns]
    argv += [f"--glob={g}" for g in globs]
    return [*argv, "--", *targets]


def run(argv: list[str], cwd: Path, timeout: float = RG_TIMEOUT_SECONDS,
        max_bytes: int = MAX_OUTPUT_BYTES) -> RgRun:
    """Run to completion, or kill at `timeout` seconds / `max_bytes` of output and keep what came before."""
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fired = threading.Event()

    def kill_on_timeout() -> None:
        fired.set()
        proc.kill()

    timer = threading.Timer(timeout, kill_on_timeout)
    timer.daemon = True
    timer.start()
    errors: list[bytes] = []
    drain = threading.Thread(target=_drain, args=(proc.stderr, errors), daemon=True)
    drain.start()  # a full stderr pipe (thousands of unreadable files) would otherwise stall rg
    chunks: list[bytes] = []
    size = 0
    capped = False
    assert proc.stdout is not None
    try:
        while chunk := proc.stdout.read(1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size >= max_bytes:
                capped = True
                proc.kill()
                break
    finally:
        proc.stdout.close()
        returncode = proc.wait()
        timer.cancel()
        drain.join()
    stderr = b"".join(errors).decode("utf-8", "replace")
    return RgRun(b"".join(chunks), stderr, returncode, fired.is_set(), capped)


def _drain(stream: IO[bytes], into: list[bytes]) -> None:
    kept = 0
    while chunk := stream.read(65536):
        if kept < MAX_STDERR_BYTES:
            into.append(chunk[: MAX_STDERR_BYTES - kept])
            kept += len(chunk)
    stream.close()


COMPILE_TIMEOUT_S = 10.0
BAD_PATTERNS_BUDGET_S = 20.0  # all the one-by-one compiles together, when the caller gives no time left


def bad_patterns(rg: str, patterns: list[str], time_left: float = BAD_PATTERNS_BUDGET_S) -> list[tuple[str, str]]:
    """Each pattern rg refuses, with rg's own reason (trimmed), found by compiling the patterns one by one.

    Stops when `time_left` (the call's remaining time, in seconds) runs out: each pattern not compiled by then is
    listed too, its reason saying it was not checked.
    """
    deadline = time.monotonic() + time_left
    bad: list[tuple[str, str]] = []
    for pattern in dict.fromkeys(patterns):
        left = deadline - time.monotonic()
        if left <= 0:
            bad.append((pattern, "not checked: the call's time ran out before ripgrep could compile it"))
            continue
        try:
            done = subprocess.run(
                [rg, "--no-config", "--quiet", f"--regexp={pattern}", "--", "-"],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=min(COMPILE_TIMEOUT_S, left), check=False,
            )
        except subprocess.TimeoutExpired:
            slow = f"ripgrep took over {COMPILE_TIMEOUT_S:g} s just to compile it"
            bad.append((pattern, slow if left > COMPILE_TIMEOUT_S
                        else "not checked: the call's time ran out while ripgrep compiled it"))
            continue
        if done.returncode == 2:
            bad.append((pattern, error_reason(done.stderr.decode("utf-8", "replace"))))
    return bad


def bad_globs(rg: str, globs: list[str]) -> list[tuple[str, str]]:
    """Each glob rg refuses, with its reason: all compiled in one run, then one by one only if that run fails."""
    def refusal(batch: list[str]) -> str | None:
        argv = [rg, "--no-config", "--quiet", "--regexp=x", *(f"--glob={g}" for g in batch), "--", "-"]
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=10, check=False)
        except subprocess.TimeoutExpired:
            return "ripgrep took over 10 s just to compile it"
        return error_reason(done.stderr.decode("utf-8", "replace")) if done.returncode == 2 else None

    if refusal(globs) is None:
        return []
    return [(glob, reason) for glob in dict.fromkeys(globs) if (reason := refusal([glob])) is not None]


def error_reason(stderr: str) -> str:
    """rg's explanation without the echoed regex and caret: its `error: ...` line, else its first line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    return lines[0].removeprefix("rg:").strip() if lines else "rejected by ripgrep"


def count_matches(rg: str, patterns: list[str], globs: list[str], targets: list[str], cwd: Path,
                  timeout: float) -> tuple[int, int] | None:
    """(files, matches) in a second, printing-free pass; None if it too runs out of time."""
    argv = [rg, "--no-config", "--count-matches", "--null", "--with-filename", "--color=never"]
    argv += [f"--regexp={p}" for p in patterns] + [f"--glob={g}" for g in globs] + ["--", *targets]
    counted = run(argv, cwd, timeout)
    if counted.timed_out or counted.capped:
        return None
    rows = [row.rsplit(b"\0", 1) for row in counted.stdout.splitlines() if b"\0" in row]
    return len(rows), sum(int(count) for _, count in rows if count.isdigit())


def matching_rows(rg: str, pattern: str, text: bytes, timeout: float) -> set[int] | None:
    """Row numbers (1-based) of `text` that `pattern` matches; None if rg ran out of time."""
    argv = [rg, "--no-config", "--text", "--line-number", "--only-matching", "--replace=", f"--regexp={pattern}", "-"]
    try:
        done = subprocess.run(argv, input=text, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    return {int(row[:-1]) for row in done.stdout.splitlines() if row[:-1].isdigit()}
