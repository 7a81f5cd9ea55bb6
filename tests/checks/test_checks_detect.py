"""Defaults for an unconfigured project: what each marker file brings, and what it does not."""

from __future__ import annotations

import json
import os
from pathlib import Path

from thrifty.checks.detect import detect_checks


def _names(project: Path) -> dict[str, tuple[str, ...]]:
    return {c.name: c.argv for c in detect_checks(project, os.environ.get("PATH", ""))}


def test_python_project_gets_pytest_when_tests_exist_and_linters_only_when_configured(project: Path, write) -> None:
    write("tests/test_app.py", "def test_x():\n    pass\n")
    assert list(_names(project)) == ["pytest"]
    write("pyproject.toml", "[tool.ruff]\nline-length = 100\n[tool.mypy]\nfiles = ['src']\n")
    found = _names(project)
    assert list(found) == ["pytest", "ruff", "mypy"]
    assert found["pytest"][1:] == ("-m", "pytest", "-q")
    assert found["ruff"] == ("ruff", "check", ".") and found["mypy"] == ("mypy",)


def test_flake8_and_pyright_come_from_their_own_config_files(project: Path, write) -> None:
    write("setup.cfg", "[flake8]\nmax-line-length = 100\n")
    write("pyrightconfig.json", "{}")
    checks = {c.name: c for c in detect_checks(project, "")}
    assert set(checks) == {"flake8", "pyright"}
    assert checks["flake8"].origin == "detected: [flake8]" and checks["pyright"].source == "detected"


def test_package_json_brings_npm_test_tsc_and_eslint_but_not_the_npm_init_placeholder(project: Path, write) -> None:
    write("package.json", json.dumps({"scripts": {"test": 'echo "Error: no test specified" && exit 1'}}))
    assert _names(project) == {}
    write("package.json", json.dumps({"scripts": {"test": "jest"}}))
    write("tsconfig.json", "{}")
    write("eslint.config.js", "export default [];\n")
    assert _names(project) == {
        "npm-test": ("npm", "test", "--silent"), "tsc": ("tsc", "--noEmit", "--pretty", "false"),
        "eslint": ("eslint", "."),
    }


def test_cargo_and_go_projects_get_their_test_commands(project: Path, write) -> None:
    write("Cargo.toml", "[package]\nname = 'x'\n")
    write("go.mod", "module example.com/x\n")
    assert _names(project) == {"cargo-test": ("cargo", "test"), "go-test": ("go", "test", "./...")}


def test_an_empty_project_detects_nothing(project: Path) -> None:
    assert detect_checks(project, "") == []


def _detected_in_a_child(project: Path, timeout: float) -> str:
    """The checks detected for `project`, listed by a separate process: a blocked read of a FIFO fails the call
    (subprocess.TimeoutExpired) after `timeout` instead of hanging the test run."""
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from thrifty.checks.detect import detect_checks; " \
           "print([c.name for c in detect_checks(Path(sys.argv[1]), '')])"
    done = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True,
                          timeout=timeout, check=True)
    return done.stdout.strip()


def test_project_files_that_are_fifos_or_links_out_are_not_read(project: Path, tmp_path: Path) -> None:
    os.mkfifo(project / "pyproject.toml")
    outside = tmp_path / "package.json"
    outside.write_text(json.dumps({"scripts": {"test": "jest"}}), encoding="utf-8")
    (project / "package.json").symlink_to(outside)
    assert _detected_in_a_child(project, timeout=60) == "[]"


def test_setup_cfg_fifo_and_tox_ini_link_out_are_not_read(project: Path, tmp_path: Path) -> None:
    os.mkfifo(project / "setup.cfg")
    outside = tmp_path / "outside-tox.ini"
    outside.write_text("[flake8]\n[tool:pytest]\n", encoding="utf-8")
    (project / "tox.ini").symlink_to(outside)
    assert _detected_in_a_child(project, timeout=20) == "[]"


def test_setup_cfg_inside_the_project_is_still_read(project: Path, write) -> None:
    write("setup.cfg", "[flake8]\nmax-line-length = 100\n")
    assert "flake8" in _names(project)
