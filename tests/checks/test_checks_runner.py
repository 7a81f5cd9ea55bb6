"""Real processes: timeouts kill the whole group, leftovers never hold a result hostage, floods stay bounded."""

from __future__ import annotations

import os
import select
import shutil
import sys
from pathlib import Path

import anyio
import pytest

from thrifty.checks.capture import keep_pattern
from thrifty.checks.env import check_env
from thrifty.checks.runner import RunOutcome, run_process

pytestmark = pytest.mark.anyio


def _dies(pid: int, within: float = 5.0) -> bool:
    """Whether process `pid` has ended or ends within `within` seconds; waits on a pidfd, no polling."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], within)[0])
    finally:
        os.close(fd)


needs_proc = pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits for processes with pidfds (Linux)")

SPAWN_CHILD = (
    "import subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); "
    "open('child.pid', 'w').write(str(child.pid)); print('started', flush=True); "
)


async def _run(project: Path, code: str, timeout: float) -> RunOutcome:
    with anyio.fail_after(timeout + 10):
        return await run_process(
            (sys.executable, "-c", code), project, check_env(project), timeout, project / "out.log", None,
        )


@needs_proc
async def test_a_check_over_its_timeout_is_killed_with_its_children_and_reported_timed_out(project: Path) -> None:
    outcome = await _run(project, SPAWN_CHILD + "time.sleep(300)", timeout=1.5)
    assert outcome.timed_out and outcome.exit_code == -15  # SIGTERM was enough
    assert "started" in outcome.text
    assert _dies(int((project / "child.pid").read_text()))


@needs_proc
async def test_a_check_ignoring_sigterm_is_killed_after_the_grace_period(project: Path) -> None:
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('stubborn', flush=True); "
    outcome = await _run(project, code + "time.sleep(300)", timeout=1)
    assert outcome.timed_out and outcome.exit_code == -9


@needs_proc
async def test_a_child_left_holding_the_output_pipe_does_not_delay_the_result(project: Path) -> None:
    outcome = await _run(project, SPAWN_CHILD + "print('main done')", timeout=120)
    assert not outcome.timed_out and outcome.exit_code == 0 and "main done" in outcome.text
    assert _dies(int((project / "child.pid").read_text()))


async def test_a_missing_executable_is_an_error_without_a_process(project: Path) -> None:
    outcome = await run_process(
        ("thrifty-no-such-tool", "--version"), project, check_env(project), 5, project / "x.log", None,
    )
    assert outcome.error == "executable 'thrifty-no-such-tool' not found" and outcome.exit_code is None


async def test_stdin_is_closed_so_a_check_waiting_for_input_ends(project: Path) -> None:
    outcome = await _run(project, "import sys; print(repr(sys.stdin.read()))", timeout=30)
    assert outcome.exit_code == 0 and outcome.text == "''\n"


async def test_stderr_and_stdout_arrive_in_one_stream_and_the_raw_log(project: Path) -> None:
    code = "import sys; print('out', flush=True); print('err', file=sys.stderr, flush=True); sys.exit(3)"
    outcome = await _run(project, code, timeout=30)
    assert outcome.exit_code == 3 and outcome.text == "out\nerr\n"
    assert (project / "out.log").read_text(encoding="utf-8") == "out\nerr\n"


async def test_checks_run_with_the_project_venv_first_on_path(project: Path) -> None:
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    env = check_env(project)
    assert env["PATH"].split(os.pathsep)[0] == str(bin_dir)
    assert env["NO_COLOR"] == "1" and str(Path(sys.executable).parent) in env["PATH"].split(os.pathsep)


async def test_a_flood_keeps_memory_and_the_log_bounded_and_the_failure_in_the_middle(project: Path) -> None:
    code = (
        "import sys\n"
        "block = ('x' * 99 + '\\n') * 10000\n"
        "for i in range(100): sys.stdout.write(block)\n"
        "print('FAILED tests/test_x.py::test_middle - boom')\n"
        "for i in range(100): sys.stdout.write(block)\n"
    )
    outcome = await run_process(
        (sys.executable, "-c", code), project, check_env(project), 120, project / "flood.log", keep_pattern("FAILED "),
    )
    assert outcome.output_bytes > 200_000_000 and outcome.log_truncated
    assert (project / "flood.log").stat().st_size < 64 * 2**20 + 200
    assert "FAILED tests/test_x.py::test_middle - boom" in outcome.text
    assert len(outcome.text) < 4 * 2**20


ESCAPE = (
    "import os, subprocess, sys; "
    "sleeper = subprocess.Popen(['setsid', 'sleep', '300'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"  # a daemon's double fork: its grandchild belongs to no one
    "        os.execvp('sleep', ['sleep', '301'])\n"
    "    os._exit(0)\n"
    "os.waitpid(pid, 0)\n"
    "open('child.pid', 'w').write(str(sleeper.pid)); print('started', flush=True)\n"
)


def _alive(pid: int) -> bool:
    """Running, or a zombie nobody reaped (`ps` shows it): either is a survivor."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _sleepers(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if fh.read().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                        found.append(int(entry))
            except OSError:
                continue
    return found


@needs_proc
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper is Linux only")
@pytest.mark.skipif(shutil.which("setsid") is None, reason="needs setsid (util-linux)")
async def test_processes_that_left_the_checks_group_are_ended_with_it_and_the_result_says_so(project: Path) -> None:
    outcome = await _run(project, ESCAPE, timeout=60)
    assert outcome.exit_code == 0 and "started" in outcome.text
    assert not _alive(int((project / "child.pid").read_text()))  # the setsid sleeper, by pid, at once
    assert _sleepers("301") == []  # the double-forked daemon
    assert len(outcome.leftovers) == 2 and all(name.startswith("sleep (pid ") for name in outcome.leftovers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shepherd is Linux only")
async def test_an_executable_the_kernel_cannot_run_is_an_error_not_a_failing_check(project: Path) -> None:
    tool = project / "not-a-program"
    tool.write_bytes(b"\x00\x01\x02 not an executable format\n")
    tool.chmod(0o755)
    outcome = await run_process((str(tool),), project, check_env(project), 30, project / "bad.log", None)
    assert outcome.exit_code is None and outcome.error.startswith(f"'{tool}' cannot run: ")
    assert "Traceback" not in outcome.text and "Traceback" not in (project / "bad.log").read_text()


RUNNER = """
import sys, anyio
from pathlib import Path
from thrifty.checks.env import check_env
from thrifty.checks.runner import run_process
project = Path(sys.argv[1])
code = "import os, time; open('check.pid', 'w').write(str(os.getpid())); time.sleep(300)"
anyio.run(run_process, (sys.executable, "-c", code), project, check_env(project), 600.0, project / "c.log", None)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _until(condition: object, within: float) -> bool:
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        select.select([], [], [], 0.02)
    return bool(callable(condition) and condition())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shepherd is Linux only")
def test_a_running_check_ends_when_the_server_running_it_is_killed(project: Path) -> None:
    import signal
    import subprocess

    server = subprocess.Popen([sys.executable, "-c", RUNNER, str(project)])
    pid_file = project / "check.pid"
    check = 0
    try:
        assert _until(lambda: pid_file.is_file() and pid_file.read_text().strip() != "", 30), "the check never started"
        check = int(pid_file.read_text())
        assert _running(check)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        assert _until(lambda: not _running(check), 10), "the check outlived the server that started it"
    finally:
        server.kill()
        server.wait(10)
        if check and _running(check):
            os.kill(check, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shepherd is Linux only")
def test_the_shepherd_enforces_the_timeout_itself_when_nobody_else_does(tmp_path: Path) -> None:
    import subprocess

    from thrifty.checks import shepherd

    script = str(Path(shepherd.__file__))
    status = tmp_path / "ended"
    argv = [sys.executable, "-I", "-S", script, str(status), str(os.getpid()), "0.2", sys.executable, "-c",
            "import time; time.sleep(300)"]
    done = subprocess.run(argv, capture_output=True, timeout=shepherd.BACKSTOP_S + 20, check=False)
    assert done.returncode == -15  # the check got the shepherd's own SIGTERM, and the shepherd ended the same way
