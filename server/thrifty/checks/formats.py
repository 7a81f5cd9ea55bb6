"""Which parser reads a command's output, and which file arguments the command takes, guessed from its argv."""

from __future__ import annotations

import os
import re

FORMATS = (
    "pytest", "unittest", "ruff", "flake8", "mypy", "pyright", "eslint", "tsc", "cargo", "gotest", "generic",
)

PYTHON_FILES = ("*.py", "*.pyi")
# Explicit file arguments a format accepts. pytest gets test files only: a source file passed to it would be
# collected as a test module and run nothing.
FILE_GLOBS: dict[str, tuple[str, ...]] = {
    "pytest": ("test_*.py", "*_test.py"),
    "ruff": (*PYTHON_FILES, "*.ipynb"),
    "flake8": PYTHON_FILES,
    "mypy": PYTHON_FILES,
    "pyright": PYTHON_FILES,
    "eslint": ("*.js", "*.jsx", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.mts", "*.cts", "*.vue", "*.svelte"),
}

_PROGRAMS = {
    "pytest": "pytest", "py.test": "pytest", "unittest": "unittest", "ruff": "ruff", "flake8": "flake8",
    "mypy": "mypy", "dmypy": "mypy", "pyright": "pyright", "basedpyright": "pyright", "eslint": "eslint",
    "tsc": "tsc", "vue-tsc": "tsc",
}
_RUNNERS = {"uv", "poetry", "pipenv", "pdm", "hatch", "rye"}  # `<runner> run <cmd>`
_EXECUTORS = {"npx", "bunx", "pnpx"}  # `<executor> <cmd>`
_PYTHON = re.compile(r"python(\d+(\.\d+)?)?|py")


def guess_format(argv: tuple[str, ...] | list[str]) -> str:
    """The parser for this command's output, from its program (or `python -m module`); "generic" otherwise."""
    args = list(argv)
    while args:
        program = os.path.basename(args[0])
        rest = args[1:]
        if _PYTHON.fullmatch(program):
            if "-m" in rest and rest.index("-m") + 1 < len(rest):
                program = rest[rest.index("-m") + 1]
                rest = rest[rest.index("-m") + 2:]
            else:
                return "generic"
        if program in _RUNNERS and rest[:1] == ["run"]:
            args = rest[1:]
            continue
        if program in _EXECUTORS or (program in ("pnpm", "yarn") and rest[:1] in (["exec"], ["dlx"])):
            args = [a for a in (rest[1:] if program in ("pnpm", "yarn") else rest) if not a.startswith("-")]
            continue
        if program == "ruff":
            return "ruff" if "format" not in rest else "generic"
        if program == "cargo":
            return "cargo" if {"test", "nextest", "build", "check", "clippy"} & set(rest) else "generic"
        if program == "go":
            return "gotest" if rest[:1] in (["test"], ["vet"], ["build"]) else "generic"
        return _PROGRAMS.get(program, "generic")
    return "generic"


def default_files(fmt: str) -> bool | tuple[str, ...]:
    """Whether a check of this format takes file arguments when its configuration does not say."""
    return FILE_GLOBS.get(fmt, False)
