"""The plugin's launcher: `bin/thrifty ARGS` runs `python3 -m thrifty.launch ARGS` with the plugin's `server/` on
PYTHONPATH. Standard library only. It makes sure the plugin's venv is current (see `environment`), then replaces
itself with the venv's python running `thrifty ARGS`; a cold `serve` answers the MCP client meanwhile (`firstrun`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from thrifty.launch.environment import (
    BUILD_FLAG,
    build_venv,
    dependencies,
    ensure_venv,
    fingerprint,
    is_current,
    plugin_root,
    server_env,
    venv_python,
    vouch_for,
)
from thrifty.paths import data_dir


def main(argv: list[str]) -> None:
    errors = (OSError, subprocess.SubprocessError, KeyError, tomllib.TOMLDecodeError)
    if argv[:1] == [BUILD_FLAG]:
        try:
            build_venv(Path(argv[1]), Path(argv[2]))
        except subprocess.CalledProcessError as exc:  # its command line is long and says nothing; the log does
            sys.stderr.write(f"thrifty: building its environment failed (the installer exited with status "
                             f"{exc.returncode}); details in {argv[2]}/setup.log\n")
            sys.exit(1)
        except errors as exc:
            sys.stderr.write(f"thrifty: building its environment failed ({exc}); details in {argv[2]}/setup.log\n")
            sys.exit(1)
        return
    root = plugin_root()
    data = data_dir()
    try:
        if not is_current(data / "venv", fingerprint(dependencies(root))):
            if argv[:1] == ["serve"]:  # an MCP client is waiting for `initialize`: answer it while the build runs
                from thrifty.launch.firstrun import serve_while_building  # cold start only: warm starts skip it

                sys.exit(serve_while_building(root, data, argv))
            if argv[:1] == ["setup"] and "--check" in argv:  # a check must not build what it reports on
                sys.stderr.write(f"thrifty: its environment at {data / 'venv'} is missing or stale; "
                                 "run `thrifty setup` to build it\n")
                sys.exit(1)
            ensure_venv(root, data)
        vouch_for(data / "venv", root)
    except errors as exc:
        sys.stderr.write(f"thrifty: could not prepare its environment ({exc}); details in {data / 'setup.log'}\n")
        sys.exit(1)
    python = venv_python(data / "venv")
    os.execve(python, [str(python), "-m", "thrifty", *argv], server_env(root))


if __name__ == "__main__":
    main(sys.argv[1:])
