"""The plugin's Python environment: a venv under the data directory, built with nothing but python3.

Standard library only (the launcher in `thrifty.launch.__main__` runs it with the system python3). `<data>/venv`
holds the dependencies listed in the plugin's pyproject.toml. The package itself is not installed into the
venv: it is imported from the plugin root, so a plugin update that changes only code costs no reinstall, and one
that changes the dependency list (the fingerprint) rebuilds the venv. `thrifty serve` does not wait for a build:
thrifty.launch.firstrun answers the MCP client while it runs, then hands over to the real server.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from thrifty.paths import data_dir, write_atomic

STAMP = "thrifty-deps.sha256"
VOUCHED = "thrifty-launch.ok"  # bin/thrifty's warm path (`vouch_for`)
INSTALL_TIMEOUT_S = 600
BUILD_WAIT_S = 2 * INSTALL_TIMEOUT_S + 60  # venv + pip, then the byte-compiling, each bounded by INSTALL_TIMEOUT_S
# The SessionStart hook waits no longer than its own timeout in hooks/hooks.json (600 s) allows, with a margin; past
# it the hook returns and the build, in a session of its own, finishes in the background.
SESSION_START_WAIT_S = 540
_OUTLIVING: list[subprocess.Popen[bytes]] = []  # builds left running past a wait
BUILD_FLAG = "--build-venv"  # internal: `python -m thrifty.launch --build-venv ROOT DATA`
# Test hook, never set in use: a JSON argv run instead of venv + pip (the venv dir appended), so tests can make a
# first build slow, gated and deterministic without the package index.
TEST_BUILD_COMMAND = "THRIFTY_TEST_BUILD_COMMAND"


def plugin_root() -> Path:
    return Path(__file__).resolve().parents[3]


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


def vouch_for(venv_dir: Path, root: Path) -> None:
    """Record, for bin/thrifty's warm path, that plugin `root`'s dependency fingerprint matched the current venv.

    VOUCHED holds the venv interpreter's real path (a python3 upgrade that moves it ends every vouch), then one
    plugin root per line (plugin versions share the venv), and is kept newer than `root`'s pyproject.toml (an edit of
    it ends this root's vouch). A build removes it. bin/thrifty execs the venv itself only when all three hold.
    """
    path = venv_dir / VOUCHED
    interpreter = os.path.realpath(venv_python(venv_dir))
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        if lines[:1] != [interpreter]:
            lines = [interpreter]
        if str(root) not in lines[1:]:
            lines.append(str(root))
            write_atomic(path, "\n".join(lines) + "\n")
        release = int((root / "pyproject.toml").stat().st_mtime)  # whole seconds: dash's `-nt` compares those
        if int(path.stat().st_mtime) <= release:
            moment = max(time.time(), release + 1)
            os.utime(path, (moment, moment))
    except OSError:
        pass  # a read-only data dir: every start takes the launcher, which costs time but nothing else


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
    import json  # here, not at the top: only the build process needs these, not every warm start
    import shutil
    import venv

    uv = shutil.which("uv")
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} building {venv_dir}\n")
        out.flush()
        if test_command := os.environ.get(TEST_BUILD_COMMAND):
            cmds = [[*json.loads(test_command), str(venv_dir)]]
        elif uv:  # much faster when present; plain venv + pip otherwise
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


PRECOMPILE = ("import compileall, sys; compileall.compile_dir(sys.argv[1], quiet=1); "
              "import thrifty.cli, thrifty.commands.serve, thrifty.app")


def _precompile(venv_dir: Path, root: Path, log: Path) -> None:
    """Byte-compile thrifty's own modules and the server's imports now, not on every start.

    pip ran with --no-compile, leaving compilation to first use; but with PYTHONDONTWRITEBYTECODE set (some
    environments set it) first use never writes, so every server start compiled the SDK again and every hook and
    status line compiled thrifty's modules again (about a third of a PreToolUse hook's time). compileall writes
    the cache whatever that variable says, for the hooks' python3 too (the venv is made from it: same tag).
    """
    env = server_env(root)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with open(log, "a", encoding="utf-8") as out:  # a failure here shows again when the server starts; not fatal
        subprocess.run([str(venv_python(venv_dir)), "-c", PRECOMPILE, str(root / "server" / "thrifty")],
                       env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL, check=False,
                       timeout=INSTALL_TIMEOUT_S)


def server_env(root: Path) -> dict[str, str]:
    """The environment the real server runs in: the plugin's code importable from its root."""
    return dict(os.environ, PYTHONPATH=str(root / "server"))


def start_build(root: Path, data: Path, stderr: int | None = None) -> subprocess.Popen[bytes]:
    """Start the process that builds `<data>/venv` (or waits for whoever is building it) and return at once."""
    # The build runs in a process of its own session. Claude Code stops an MCP server that is not up within its
    # 30 s start limit; a build inside that process died with it, releasing the lock while pip went on writing into
    # the venv, and the SessionStart hook waiting on the lock then started over in the same directory. A build that
    # outlives its caller finishes and stamps the venv, and whoever waits on the lock finds it current.
    return subprocess.Popen(
        [sys.executable, "-m", "thrifty.launch", BUILD_FLAG, str(root), str(data)],
        env=server_env(root), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # the MCP server's stdout is the protocol wire
        stderr=stderr, start_new_session=True,
    )


def ensure_venv(root: Path | None = None, data: Path | None = None, wait_s: float = BUILD_WAIT_S
                ) -> tuple[Path, bool]:
    """Return the venv's python, building the venv first if it is missing or stale; say whether it was not current.

    Waits up to `wait_s` for the build, then raises subprocess.TimeoutExpired while the build goes on on its own."""
    root = root or plugin_root()
    data = data or data_dir()
    venv_dir = data / "venv"
    if is_current(venv_dir, fingerprint(dependencies(root))):
        return venv_python(venv_dir), False
    build = start_build(root, data)
    try:
        status = build.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        _OUTLIVING.append(build)  # it runs on alone: no ResourceWarning for dropping a running child
        raise
    if status != 0:
        raise OSError(f"building {venv_dir} failed")
    return venv_python(venv_dir), True


def build_venv(root: Path, data: Path) -> None:
    """Build `<data>/venv` unless it is current, holding the lock throughout (the build process's job)."""
    venv_dir = data / "venv"
    deps = dependencies(root)
    expected = fingerprint(deps)
    with _locked(data / "venv.lock"):
        if is_current(venv_dir, expected):  # built by whoever held the lock before us
            return
        (venv_dir / STAMP).unlink(missing_ok=True)
        (venv_dir / VOUCHED).unlink(missing_ok=True)
        _install(venv_dir, deps, data / "setup.log")
        _precompile(venv_dir, root, data / "setup.log")
        (venv_dir / STAMP).write_text(expected + "\n", encoding="utf-8")
