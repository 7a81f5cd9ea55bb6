"""Start the team sync / OTLP export in the background from the Stop hook; standard library only.

The hook must never wait on the network: it starts `python -m thrifty.team.background` from thrifty's venv (the
`team` extra lives there) in its own session with no pipes, and returns. The URL is never put on the command line
(other users can read it); the child resolves the settings itself from the same environment and project.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from thrifty.fleet.settings import resolve
from thrifty.paths import data_dir

SERVER_DIR = Path(__file__).resolve().parents[2]


def venv_python(env: Mapping[str, str] = os.environ) -> Path:
    return data_dir(env) / "venv" / "bin" / "python"  # type: ignore[arg-type]


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
    python = venv_python(env)
    if not python.exists():
        raise OSError(f"team sync skipped: thrifty's venv {python.parent.parent} is not built yet")
    child_env = dict(env)
    child_env["PYTHONPATH"] = str(SERVER_DIR)
    return subprocess.Popen([str(python), "-m", "thrifty.team.background", project_dir], env=child_env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, close_fds=True, cwd=str(data_dir(env)))  # type: ignore[arg-type]
