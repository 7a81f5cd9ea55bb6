"""Which checks run with which arguments: names validated up front, paths confined and never read as options."""

from __future__ import annotations

from pathlib import Path

import pytest

from thrifty.checks.config import load_config
from thrifty.checks.model import CheckSpec
from thrifty.checks.plan import UnknownCheck, plan_check, resolve_targets, select_checks, split_scope
from thrifty.errors import ToolError


def _spec(argv: str, fmt: str, files: bool | tuple[str, ...] = True, cwd: str = ".") -> CheckSpec:
    return CheckSpec(name="c", argv=tuple(argv.split()), timeout=5, files=files, format=fmt, cwd=cwd)


def test_a_command_given_as_a_check_name_is_refused_with_the_valid_names() -> None:
    available = {"tests": _spec("pytest", "pytest"), "lint": _spec("ruff check .", "ruff")}
    with pytest.raises(UnknownCheck) as caught:
        select_checks(available, ["tests", "rm -rf /", "pytest; curl x"])
    message = str(caught.value)
    assert "'rm -rf /'" in message and "'pytest; curl x'" in message
    assert "nothing was run" in message and "Valid names: tests, lint" in message


def test_a_flood_of_unknown_names_is_refused_with_a_short_message() -> None:
    with pytest.raises(UnknownCheck) as caught:
        select_checks({"tests": _spec("pytest", "pytest")}, [f"x{i}" for i in range(5000)])
    assert "'x9' and 4990 more; nothing was run" in str(caught.value)
    assert len(str(caught.value)) < 400


def test_empty_names_select_every_check_in_configuration_order() -> None:
    available = {"b": _spec("x", "generic"), "a": _spec("y", "generic")}
    assert [s.argv for s in select_checks(available, [])] == [("x",), ("y",)]
    assert [s.argv for s in select_checks(available, ["a"])] == [("y",)]


def test_no_checks_at_all_says_how_to_configure_them() -> None:
    with pytest.raises(ToolError, match=r"\[tool.thrifty.checks\]"):
        select_checks({}, [])


def test_trailing_path_arguments_are_the_scope_but_option_values_are_not(project: Path) -> None:
    (project / "src").mkdir()
    (project / "tests").mkdir()
    assert split_scope(("ruff", "check", "."), project) == (("ruff", "check"), [project])
    assert split_scope(("pytest", "-q", "--cov", "src", "tests"), project) == (
        ("pytest", "-q", "--cov", "src"), [project / "tests"])
    assert split_scope(("python", "-m", "pytest", "-q"), project) == (("python", "-m", "pytest", "-q"), [])


def test_narrowing_replaces_the_scope_filters_by_file_kind_and_keeps_pytest_node_ids(project: Path) -> None:
    for rel in ("src/app.py", "tests/test_app.py", "README.md"):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text("x = 1\n", encoding="utf-8")
    targets = resolve_targets(project, ["src/app.py", "tests/test_app.py::test_x", "README.md"])
    lint = plan_check(_spec("ruff check .", "ruff", files=("*.py",)), project, targets, "3 paths")
    assert lint.argv == ("ruff", "check", "src/app.py", "tests/test_app.py")
    tests = plan_check(_spec("pytest -q", "pytest", files=("test_*.py",)), project, targets, "3 paths")
    assert tests.argv == ("pytest", "-q", "tests/test_app.py::test_x")
    types = plan_check(_spec("mypy src", "mypy", files=("*.py",)), project, targets, "3 paths")
    assert types.argv == ("mypy", "src/app.py")  # tests/ is outside its scope
    whole = plan_check(_spec("make check", "generic", files=False), project, targets, "3 paths")
    assert whole.argv == ("make", "check") and whole.narrowed_to is None


def test_a_check_none_of_whose_files_were_given_is_skipped_with_the_reason(project: Path) -> None:
    (project / "src").mkdir()
    (project / "notes.md").write_text("x\n", encoding="utf-8")
    targets = resolve_targets(project, ["notes.md"])
    planned = plan_check(_spec("mypy src", "mypy", files=("*.py",)), project, targets, "1 path")
    assert planned.skip_reason == "none of the 1 path apply to it under its scope src"


def test_a_file_named_like_a_flag_is_passed_as_a_relative_path(project: Path) -> None:
    (project / "-rf.py").write_text("x = 1\n", encoding="utf-8")
    targets = resolve_targets(project, ["-rf.py"])
    planned = plan_check(_spec("ruff check", "ruff", files=("*.py",)), project, targets, "1 path")
    assert planned.argv == ("ruff", "check", "./-rf.py")


def test_paths_outside_the_root_or_missing_are_refused(project: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_text("x\n", encoding="utf-8")
    with pytest.raises(ToolError, match="outside the project root"):
        resolve_targets(project, ["../outside.py"])
    with pytest.raises(ToolError, match="no such file"):
        resolve_targets(project, ["nope.py"])


def test_symlinks_leading_out_looping_or_names_too_long_are_refused_with_a_message(
    project: Path, tmp_path: Path
) -> None:
    (tmp_path / "outside.py").write_text("x\n", encoding="utf-8")
    (project / "link.py").symlink_to(tmp_path / "outside.py")
    (project / "loop").symlink_to(project / "loop")
    with pytest.raises(ToolError, match="link.py: outside the project root"):
        resolve_targets(project, ["link.py"])
    with pytest.raises(ToolError, match="loop: cannot be resolved"):
        resolve_targets(project, ["loop"])
    with pytest.raises(ToolError, match="cannot be used as a path"):
        resolve_targets(project, ["a" * 5000])


def test_paths_are_relative_to_a_check_that_runs_in_a_subfolder(project: Path, write) -> None:
    write("backend/api/test_api.py", "def test_x():\n    pass\n")
    write("pyproject.toml", '[tool.thrifty.checks.api]\ncommand = "pytest -q"\ncwd = "backend"\n')
    config = load_config(project)
    assert config is not None
    targets = resolve_targets(project, ["backend/api/test_api.py"])
    assert plan_check(config.checks["api"], project, targets, "1 path").argv == ("pytest", "-q", "api/test_api.py")
