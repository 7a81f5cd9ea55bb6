"""The plugin's launch path: a venv under the data directory, built with nothing but python3, then exec.

`bin/thrifty` runs `python3 -m thrifty.bootstrap ARGS` with the plugin's `server/` on PYTHONPATH. This module
(standard library only) makes sure `<data>/venv` holds the dependencies listed in the plugin's pyproject.toml,
then replaces itself with the venv's python running `thrifty ARGS`. The package itself is not installed into the
venv: it is imported from the plugin root, so a plugin update that changes only code costs no reinstall, and one
that changes the dependency list (the fingerprint) rebuilds the venv.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
import tomllib
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from thrifty.paths import data_dir

STAMP = "thrifty-deps.sha256"
INSTALL_TIMEOUT_S = 600


def plugin_root() -> Path:
    return Path(__file__).resolve().parent.parent.parent


def dependencies(root: Path) -> list[str]:
    with open(root / "pyproject.toml", "rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


def fingerprint(deps: list[str]) -> str:
    """What the venv was built from: the dependency list and the Python version (not the path to the interpreter,
    which differs between a system python3 and a venv's python of the same installation)."""
    text = "\n".join([sys.version, *sorted(deps)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def venv_python(venv_dir: Path) -> Path:
    return venv_dir / "bin" / "python"


def is_current(venv_dir: Path, expected: str) -> bool:
    try:
        return (venv_dir / STAMP).read_text(encoding="utf-8").strip() == expected and venv_python(venv_dir).exists()
    except OSError:
        return False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    # The SessionStart hook and the MCP server may start together; one builds, the other waits for it.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _install(venv_dir: Path, deps: list[str], log: Path) -> None:
    uv = shutil.which("uv")
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} building {venv_dir}\n")
        out.flush()
        if uv:  # much faster when present; plain venv + pip otherwise
            cmds = [
                [uv, "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(venv_dir)],
                [uv, "pip", "install", "--quiet", "--python", str(venv_python(venv_dir)), *deps],
            ]
        else:
            venv.EnvBuilder(with_pip=True, clear=True, symlinks=True).create(venv_dir)
            # --no-compile: byte-compiling every dependency up front takes 40% of a first install, which races the
            # 30 s MCP start limit; only the modules actually imported get compiled, on first use.
            pip = [str(venv_python(venv_dir)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            cmds = [[*pip, "--no-compile", *deps]]
        for cmd in cmds:
            subprocess.run(cmd, stdout=out, stderr=out, stdin=subprocess.DEVNULL, check=True, timeout=INSTALL_TIMEOUT_S)


def ensure_venv(root: Path | None = None, data: Path | None = None) -> tuple[Path, bool]:
    """Return the venv's python, building the venv first if it is missing or stale; say whether it was built."""
    root = root or plugin_root()
    data = data or data_dir()
    venv_dir = data / "venv"
    deps = dependencies(root)
    expected = fingerprint(deps)
    if is_current(venv_dir, expected):
        return venv_python(venv_dir), False
    with _locked(data / "venv.lock"):
        if is_current(venv_dir, expected):  # built by whoever held the lock before us
            return venv_python(venv_dir), False
        (venv_dir / STAMP).unlink(missing_ok=True)
        _install(venv_dir, deps, data / "setup.log")
        (venv_dir / STAMP).write_text(expected + "\n", encoding="utf-8")
    return venv_python(venv_dir), True


def main(argv: list[str]) -> None:
    root = plugin_root()
    try:
        python, _ = ensure_venv(root)
    except (OSError, subprocess.SubprocessError, KeyError, tomllib.TOMLDecodeError) as exc:
        log = data_dir() / "setup.log"
        sys.stderr.write(f"thrifty: could not prepare its environment ({exc}); details in {log}\n")
        sys.exit(1)
    env = dict(os.environ, PYTHONPATH=str(root / "server"))
    os.execve(python, [str(python), "-m", "thrifty", *argv], env)


if __name__ == "__main__":
    main(sys.argv[1:])
