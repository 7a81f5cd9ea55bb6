"""Capture the parser fixtures in tests/checks/fixtures/ from real runs of the tools (a script, not a test).

    .venv/bin/pip install mypy flake8 pyright   # the tools whose output is captured (pyright fetches its npm package)
    .venv/bin/python tests/checks/capture_parser_fixtures.py [TOOL ...]

Each tool runs on a small project written here, with the mistakes its parser test expects; the project's temporary
path is replaced by /home/dev/proj so the fixtures do not depend on where they were captured. Tools that are not
installed are skipped with a note. The parser tests read the fixtures and assert what the tool reported.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT_SHOWN = "/home/dev/proj"
TIMEOUT_S = 300

MYPY_PROJECT = {
    "src/app.py": """
        def count() -> int:
            return "x"


        def greet(name: str) -> str:
            print(undefined_name)
            return name
    """,
    "src/util.py": """
        import pygments
    """,
    "src/__init__.py": "",
    "src/models.py": """
        class Item:
            price: int = 0
    """,
    "src/cli.py": """
        from src.models import Item

        ITEMS = [Item()]
    """,
}

FLAKE8_PROJECT = {
    "src/app.py": """
        import os


        def main():
            return 1


        LONG = "a line that goes on and on and on and on and on and on and on and on and on"
    """,
    "tests/test_x.py": """
        import sys
        def test_x():
            assert sys
    """,
}

PYRIGHT_PROJECT = {
    "src/app.py": """
        import nonexistent_module


        def count() -> int:
            return "x"


        def total(values: list[int]) -> int:
            values.push(1)
            return sum(values)
    """,
    "pyrightconfig.json": '{"include": ["src"]}',
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _tool(name: str) -> str | None:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def _run(argv: list[str], root: Path) -> str:
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
                          env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "NO_COLOR": "1",
                               "HOME": str(root)})
    return (done.stdout + done.stderr).replace(str(root), ROOT_SHOWN)


def mypy(root: Path) -> str | None:
    _write(root, MYPY_PROJECT)
    return _run([sys.executable, "-m", "mypy", "--no-incremental", "src"], root) if _tool("mypy") else None


def flake8(root: Path) -> str | None:
    _write(root, FLAKE8_PROJECT)
    return _run([sys.executable, "-m", "flake8", "--count"], root) if _tool("flake8") else None


def pyright(root: Path) -> str | None:
    _write(root, PYRIGHT_PROJECT)
    binary = _tool("pyright")
    return _run([binary], root) if binary else None


CAPTURES: dict[str, Callable[[Path], str | None]] = {"mypy": mypy, "flake8": flake8, "pyright": pyright}


def main(names: list[str]) -> int:
    FIXTURES.mkdir(exist_ok=True)
    for name in names or list(CAPTURES):
        with tempfile.TemporaryDirectory(prefix=f"capture-{name}-") as tmp:
            output = CAPTURES[name](Path(tmp).resolve())
        if output is None:
            print(f"{name}: not installed, fixture left as it is")
            continue
        (FIXTURES / f"{name}.txt").write_text(output, encoding="utf-8")
        print(f"{name}: {len(output.splitlines())} lines -> {FIXTURES / f'{name}.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
