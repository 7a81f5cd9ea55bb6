"""Start the team sync / OTLP export in the background from the Stop hook; standard library only.

The hook must never wait on the network: it starts `python -m thrifty.team.background` from thrifty's venv (the
`team` extra lives there) in its own session with no pipes, and returns. The URL is never put on the command line
(other users can read it); the child resolves the settings itself from the same environment and project.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from thrifty.guard.settings import resolve
from thrifty.paths import data_dir

SERVER_DIR = Path(__file__).resolve().parents[2]
LOCK_FILE = "team.lock"

if TYPE_CHECKING:
    import subprocess


def venv_python(env: Mapping[str, str] = os.environ) -> Path:
    return data_dir(env) / "venv" / "bin" / "python"


def wanted(project_dir: str, env: Mapping[str, str] = os.environ) -> bool:
    settings = resolve(project_dir, env)
    return bool(settings["team_db"] or settings["otlp_endpoint"])


def start(project_dir: str, env: Mapping[str, str] = os.environ) -> subprocess.Popen[bytes] | None:
    """The started job, or None when neither team_db nor otlp_endpoint is set.

    Raises:
        OSError: thrifty's venv is missing (the SessionStart hook builds it) or the process cannot start.
    """
    if not wanted(project_dir, env):
        return None
    import subprocess  # only when a job starts: every Stop hook imports this module

    python = venv_python(env)
    if not python.exists():
        raise OSError(f"team sync skipped: thrifty's venv {python.parent.parent} is not built yet")
    child_env = dict(env)
    child_env["PYTHONPATH"] = str(SERVER_DIR)
    directory = data_dir(env)
    directory.mkdir(parents=True, exist_ok=True)
    # The job's lock is taken here and handed to the child, so from the moment this hook returns the job counts as
    # running (`thrifty`'s tests wait on it). When a job already holds it, the new one queues on it instead.
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        args = [str(python), "-m", "thrifty.team.background", project_dir, *(["--lock-fd", str(fd)] if held else [])]
        return subprocess.Popen(args, env=child_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
                                pass_fds=(fd,) if held else (), cwd=str(directory))
    finally:
        os.close(fd)  # the child's copy keeps the lock until it exits


@contextmanager
def job_lock(env: Mapping[str, str] = os.environ) -> Iterator[None]:
    """Hold the job lock: syncs and exports of one data directory run one at a time, so two never read the same
    marks and send the same rows (the background job holds it from the Stop hook's spawn to its end)."""
    directory = data_dir(env)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
