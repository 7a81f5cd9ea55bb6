"""The environment checks run in: the server's own, with the project's tools found first on PATH.

PATH order, and why:
1. the project's `.venv/bin`, `venv/bin` and `node_modules/.bin`, so `pytest`, `python -m pytest`, `eslint` or
   `tsc` mean the project's own copies, as they would in the developer's activated shell;
2. the bin directory of the interpreter running thrifty, unless it is thrifty's own plugin venv (under the data
   dir, holding only thrifty's dependencies): run from a project's dev environment (`thrifty serve` in an activated
   venv, or the tests), that interpreter *is* the project's environment;
3. the PATH thrifty inherited (Claude Code passes the user's).
Colour is switched off (NO_COLOR) and Python output unbuffered so output arrives as it is produced.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from thrifty.paths import data_dir

PROJECT_BIN_DIRS = (".venv/bin", "venv/bin", "node_modules/.bin")
COLOUR_FORCING = ("FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS")


def check_env(root: Path, base: Mapping[str, str] = os.environ) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k not in COLOUR_FORCING}
    dirs = [str(root / d) for d in PROJECT_BIN_DIRS if (root / d).is_dir()]
    interpreter_bin = Path(sys.executable).parent
    if not Path(sys.prefix).resolve().is_relative_to(data_dir(base).resolve()):
        dirs.append(str(interpreter_bin))
    inherited = [d for d in base.get("PATH", os.defpath).split(os.pathsep) if d]
    env["PATH"] = os.pathsep.join(dict.fromkeys([*dirs, *inherited]))
    env.update(NO_COLOR="1", PYTHONUNBUFFERED="1", CARGO_TERM_COLOR="never", TERM="dumb")
    return env


def find_executable(program: str, env: Mapping[str, str], cwd: Path) -> str | None:
    """The file `program` runs as: a path (relative to the check's cwd) when it has a slash, else PATH lookup."""
    if "/" in program:
        candidate = (cwd / program).resolve()
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which(program, path=env.get("PATH", ""))
