"""Run one check and end every process it started, including those that left its process group (`setsid`, a
daemon's double fork): `python -I -S shepherd.py STATUS_FILE EXECUTABLE [ARGS...]`.

Linux only. The shepherd makes itself a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`): a process of the check
whose parent dies is re-parented to the shepherd instead of to init, so the check's whole tree stays below it
whatever sessions or groups it creates. When the check's main process ends (or the shepherd gets SIGTERM at the
timeout), it kills its remaining descendants with SIGKILL, over and over until it has no child left, writes one line
per ended process to STATUS_FILE (`pid name`), and ends the way the check did (its exit code or its signal).

It does not rely on the server to end the check: `python -I -S shepherd.py STATUS_FILE PARENT_PID TIMEOUT EXE ...`
asks the kernel for SIGTERM when its parent dies (`PR_SET_PDEATHSIG`; a server killed by SIGKILL, a crash or
`os._exit`), checks that PARENT_PID is still its parent (it may have died before that), and arms its own alarm at
TIMEOUT + BACKSTOP_S; each ends the check as the timeout does. An executable the kernel cannot run (posix_spawn
fails: exec format error, permission) is one line of output, `! message` in STATUS_FILE and exit code 127.

A subreaper rather than a cgroup: creating a cgroup needs a writable, delegated cgroup v2 subtree, which a plugin
running as the user rarely has; the subreaper needs no privilege. Standard library only (it starts on every check).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
BACKSTOP_S = 2.0  # the shepherd's own timeout comes this long after the runner's (which sends SIGTERM first)
CANNOT_RUN = 127
TERM_GRACE_S = 0.5  # below the runner's KILL_GRACE_S, so the shepherd cleans up before the group gets SIGKILL
MAX_ROUNDS = 1000  # kill rounds: each ends a generation; a fork bomb outpacing this much is not a check


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _write(status_path: str, rows: list[str]) -> None:
    try:
        with open(status_path, "w", encoding="utf-8") as fh:
            fh.writelines(rows)
    except OSError:
        pass


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def term_on_parent_death() -> bool:
    """SIGTERM to us when the thread that started us ends (the server's event loop thread, so the server)."""
    return _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc (every thread's list)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                found += [int(p) for p in fh.read().split()]
        except OSError:
            continue
    return found


def name_of(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as fh:
            return fh.read().strip() or "?"
    except OSError:
        return "?"


def end_descendants() -> list[tuple[int, str]]:
    """SIGKILL every remaining descendant, generation by generation (orphans come to us), and reap them."""
    me = os.getpid()
    ended: list[tuple[int, str]] = []
    seen: set[int] = set()
    for _ in range(MAX_ROUNDS):
        alive = children(me)
        if not alive:
            break
        for pid in alive:
            if pid not in seen:
                seen.add(pid)
                ended.append((pid, name_of(pid)))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in alive:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return ended


def main(argv: list[str]) -> int:
    status_path, parent, timeout, executable, args = argv[0], int(argv[1]), float(argv[2]), argv[3], argv[3:]
    check: list[int] = []  # the check's pid, once spawned
    ending: list[bool] = []

    def end_check(*_: object) -> None:  # the timeout or the server's death: TERM, a moment's grace, then KILL
        if ending:
            return
        ending.append(True)
        for pid in check:
            _signal(pid, signal.SIGTERM)
        signal.signal(signal.SIGALRM, lambda *_: [_signal(pid, signal.SIGKILL) for pid in check])
        signal.setitimer(signal.ITIMER_REAL, TERM_GRACE_S)

    signal.signal(signal.SIGTERM, end_check)
    signal.signal(signal.SIGALRM, end_check)
    term_on_parent_death()
    if os.getppid() != parent:  # the server died before it could be watched: run nothing
        return 1
    become_subreaper()
    try:
        check.append(os.posix_spawn(executable, args, os.environ))
    except OSError as exc:
        print(f"{executable}: cannot run: {exc.strerror or exc}", flush=True)
        _write(status_path, [f"! {exc.strerror or exc}\n"])
        return CANNOT_RUN
    pid = check[0]
    if ending:  # SIGTERM came while it was starting
        ending.clear()
        end_check()
    elif timeout > 0:
        signal.setitimer(signal.ITIMER_REAL, timeout + BACKSTOP_S)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    ended = end_descendants()
    _write(status_path, [f"{p} {name}\n" for p, name in ended])
    signal.setitimer(signal.ITIMER_REAL, 0)
    if os.WIFSIGNALED(status):  # end the same way, so the runner reports the same signal
        number = os.WTERMSIG(status)
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
