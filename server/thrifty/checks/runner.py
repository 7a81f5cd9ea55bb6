"""Run one check as its own process group with its own timeout, reading its output incrementally.

On Linux the check runs under `shepherd`, a child subreaper that ends every process the check started, even those
that left its process group or session, when the check's main process ends; the result lists them (`leftovers`).

On timeout the whole group gets SIGTERM, then SIGKILL after KILL_GRACE_S, and the result comes back at most about
KILL_GRACE_S + DRAIN_S after the limit. A check whose main process exits while a child it left behind still holds the
output pipe open is not waited on either: the leftovers are killed after DRAIN_S.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
from anyio.abc import Process

from thrifty.checks.capture import OutputCapture
from thrifty.checks.env import find_executable

KILL_GRACE_S = 1.0
DRAIN_S = 0.5
READ_CHUNK = 64 * 1024
EXIT_POLL_S = 0.05


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int | None
    timed_out: bool
    duration_s: float
    text: str  # the kept output, for parsers
    output_bytes: int
    log_path: Path
    log_truncated: bool
    error: str = ""  # the check could not start
    leftovers: tuple[str, ...] = ()  # processes it left running (its group or escaped from it), ended: "sleep (pid 12)"


async def run_process(
    argv: tuple[str, ...], cwd: Path, env: dict[str, str], timeout: float, log_path: Path,
    keep: re.Pattern[str] | None,
) -> RunOutcome:
    """Run `argv` (never through a shell) in `cwd`, stdout and stderr merged into one capped capture."""
    started = time.monotonic()
    executable = find_executable(argv[0], env, cwd)
    if executable is None:
        return RunOutcome(None, False, 0.0, "", 0, log_path, False, error=f"executable '{argv[0]}' not found")
    status_path = log_path.with_name(log_path.name + ".ended")
    status_path.unlink(missing_ok=True)
    with open(log_path, "wb") as log:
        capture = OutputCapture(log, keep)
        try:
            process = await anyio.open_process(
                [*_shepherd(status_path, timeout), executable, *argv[1:]], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        except OSError as exc:
            return RunOutcome(None, False, 0.0, "", 0, log_path, False, error=f"'{argv[0]}' cannot run: {exc.strerror}")
        timed_out = True
        try:
            with anyio.move_on_after(timeout):
                await _pump(process, capture)
                timed_out = False
        finally:
            with anyio.CancelScope(shield=True):
                await _end_group(process, capture, graceful=timed_out)
            capture.close_log()
    leftovers, cannot_run = _ended(status_path)
    if cannot_run:  # the shepherd could not start the executable (exec format error, permission, ...)
        return RunOutcome(None, False, time.monotonic() - started, "", 0, log_path, False,
                          error=f"'{argv[0]}' cannot run: {cannot_run}")
    return RunOutcome(
        exit_code=process.returncode, timed_out=timed_out, duration_s=time.monotonic() - started,
        text=capture.text(), output_bytes=capture.total_bytes, log_path=log_path,
        log_truncated=capture.log_truncated, leftovers=leftovers,
    )


def _shepherd(status_path: Path, timeout: float) -> list[str]:
    """The command prefix that runs a check under `shepherd` (Linux: it ends every process the check started, even
    those that left its group); elsewhere nothing, and only the process group is ended."""
    if not SHEPHERD_WORKS:
        return []
    shepherd = str(Path(__file__).with_name("shepherd.py"))
    # Our pid and the timeout: the shepherd ends the check itself if this process dies or never enforces the limit.
    return [sys.executable, "-I", "-S", shepherd, str(status_path), str(os.getpid()), repr(float(timeout))]


def _ended(status_path: Path) -> tuple[tuple[str, ...], str]:
    """The processes the shepherd ended, and why the check could not start (`! reason`), if it could not."""
    try:
        rows = status_path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return (), ""
    finally:
        status_path.unlink(missing_ok=True)
    if rows and rows[0].startswith("! "):
        return (), rows[0][2:]
    return tuple(f"{name} (pid {pid})" for pid, _, name in (row.partition(" ") for row in rows if row)), ""


SHEPHERD_WORKS = sys.platform.startswith("linux") and os.path.isdir("/proc/self/task")


async def _pump(process: Process, capture: OutputCapture) -> None:
    """Read until the output ends, or until DRAIN_S after the main process exits if a leftover child holds the pipe."""
    eof = anyio.Event()

    async with anyio.create_task_group() as group:

        async def watch_leader() -> None:
            await _exited(process)
            with anyio.move_on_after(DRAIN_S):
                await eof.wait()
            group.cancel_scope.cancel()

        group.start_soon(watch_leader)
        await _read_into(process, capture)
        eof.set()
        await _exited(process)
        group.cancel_scope.cancel()


async def _exited(process: Process) -> None:
    # asyncio's Process.wait() also waits for the pipes to close, which a leftover child can delay for ever;
    # returncode is set as soon as the process itself exits.
    while process.returncode is None:
        await anyio.sleep(EXIT_POLL_S)


async def _read_into(process: Process, capture: OutputCapture) -> None:
    assert process.stdout is not None
    try:
        while True:
            capture.feed(await process.stdout.receive(READ_CHUNK))
    except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
        return


async def _end_group(process: Process, capture: OutputCapture, graceful: bool) -> None:
    """Kill whatever is left of the check's process group; TERM first (with a grace period) when it overran."""
    if graceful and process.returncode is None:
        _signal_group(process.pid, signal.SIGTERM)
        with anyio.move_on_after(KILL_GRACE_S):
            await _exited(process)
    _signal_group(process.pid, signal.SIGKILL)
    with anyio.move_on_after(KILL_GRACE_S):
        await _exited(process)
    if graceful:  # whatever it printed while dying is worth having
        with anyio.move_on_after(DRAIN_S):
            await _read_into(process, capture)
    with anyio.move_on_after(KILL_GRACE_S):
        await process.aclose()  # closes the pipe itself too, so a leftover holding it cannot keep the transport open


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    # The check leads its own session (start_new_session), so its pid is its group id. While any member lives the
    # id cannot be reused, so this never reaches a stranger; once none is left it fails with ESRCH.
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
