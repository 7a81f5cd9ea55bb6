"""Default checks for a project without `[tool.thrifty.checks]`, each saying what it was detected from."""

from __future__ import annotations

import json
import shutil
import tomllib
from configparser import ConfigParser
from configparser import Error as ConfigParserError
from pathlib import Path
from typing import Any

from thrifty.checks.config import DEFAULT_TIMEOUT_S
from thrifty.checks.formats import default_files
from thrifty.checks.model import CheckSpec
from thrifty.confine import open_file
from thrifty.errors import ToolError

NPM_PLACEHOLDER = "no test specified"  # `npm init` writes a test script that only fails
ESLINT_CONFIGS = (
    "eslint.config.js", "eslint.config.mjs", "eslint.config.cjs", "eslint.config.ts", ".eslintrc", ".eslintrc.js",
    ".eslintrc.cjs", ".eslintrc.json", ".eslintrc.yml", ".eslintrc.yaml",
)


def detect_checks(root: Path, path_env: str) -> list[CheckSpec]:
    """Checks inferred from the project's files; `path_env` is the PATH checks will run with."""
    pyproject = _toml(root, root / "pyproject.toml")
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    setup_cfg = _ini(root, root / "setup.cfg", root / "tox.ini")
    found: list[CheckSpec] = []

    def add(name: str, argv: list[str], fmt: str, why: str) -> None:
        found.append(CheckSpec(
            name=name, argv=tuple(argv), timeout=DEFAULT_TIMEOUT_S, files=default_files(fmt), format=fmt,
            source="detected", origin=f"detected: {why}",
        ))

    tests_why = _python_tests(root, tool, setup_cfg)
    if tests_why:
        python = "python" if shutil.which("python", path=path_env) else "python3"
        add("pytest", [python, "-m", "pytest", "-q"], "pytest", tests_why)
    ruff_why = "[tool.ruff]" if "ruff" in tool else next(
        (n for n in ("ruff.toml", ".ruff.toml") if (root / n).is_file()), "")
    if ruff_why:
        add("ruff", ["ruff", "check", "."], "ruff", ruff_why)
    flake8_why = ".flake8" if (root / ".flake8").is_file() else ("[flake8]" if "flake8" in setup_cfg else "")
    if flake8_why:
        add("flake8", ["flake8", "."], "flake8", flake8_why)
    mypy_ini = next((n for n in ("mypy.ini", ".mypy.ini") if (root / n).is_file()), "")
    mypy_why = "[tool.mypy]" if "mypy" in tool else mypy_ini or ("[mypy] in setup.cfg" if "mypy" in setup_cfg else "")
    if mypy_why:
        has_files = isinstance(tool.get("mypy"), dict) and "files" in tool["mypy"]
        add("mypy", ["mypy"] if has_files else ["mypy", "."], "mypy", mypy_why)
    pyright_why = "[tool.pyright]" if "pyright" in tool else (
        "pyrightconfig.json" if (root / "pyrightconfig.json").is_file() else "")
    if pyright_why:
        add("pyright", ["pyright"], "pyright", pyright_why)
    _node(root, add)
    if (root / "Cargo.toml").is_file():
        add("cargo-test", ["cargo", "test"], "cargo", "Cargo.toml")
    if (root / "go.mod").is_file():
        add("go-test", ["go", "test", "./..."], "gotest", "go.mod")
    return found


def _python_tests(root: Path, tool: dict[str, Any], setup_cfg: dict[str, Any]) -> str:
    if isinstance(tool.get("pytest"), dict):
        return "[tool.pytest]"
    for name in ("pytest.ini", "conftest.py"):
        if (root / name).is_file():
            return name
    if "tool:pytest" in setup_cfg or "pytest" in setup_cfg:
        return "[tool:pytest] in setup.cfg"
    for folder in ("tests", "test"):
        if (root / folder).is_dir() and any(_test_files(root / folder)):
            return f"{folder}/"
    if any(root.glob("test_*.py")) or any(root.glob("*_test.py")):
        return "test_*.py files"
    return ""


def _test_files(folder: Path) -> Any:
    for pattern in ("test_*.py", "*_test.py"):
        yield from folder.rglob(pattern)


def _node(root: Path, add: Any) -> None:
    package = root / "package.json"
    if not package.is_file():
        return
    try:
        data = json.loads(_read(root, package))
    except (OSError, ValueError, ToolError):
        data = {}
    scripts = data.get("scripts") if isinstance(data, dict) else None
    test = scripts.get("test") if isinstance(scripts, dict) else None
    if isinstance(test, str) and NPM_PLACEHOLDER not in test:
        add("npm-test", ["npm", "test", "--silent"], "generic", "package.json scripts.test")
    if (root / "tsconfig.json").is_file():
        add("tsc", ["tsc", "--noEmit", "--pretty", "false"], "tsc", "tsconfig.json")
    eslint = next((n for n in ESLINT_CONFIGS if (root / n).is_file()), "")
    if eslint:
        add("eslint", ["eslint", "."], "eslint", eslint)


def _toml(root: Path, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_read(root, path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ToolError):
        return {}


def _read(root: Path, path: Path) -> bytes:
    """A project file's bytes through the confined open: never outside the root, never blocking on a FIFO."""
    with open_file(root, path, path.name) as handle:
        return handle.read()


def _ini(root: Path, *paths: Path) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    for path in paths:
        if not path.is_file():
            continue
        parser = ConfigParser()
        try:
            parser.read_string(_read(root, path).decode("utf-8"), source=str(path))
        except (OSError, ConfigParserError, UnicodeDecodeError, ToolError):
            continue
        sections.update(dict.fromkeys(parser.sections(), True))
    return sections
