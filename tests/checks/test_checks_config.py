"""Reading [tool.thrifty.checks]: both forms, .thrifty.toml, and a clear message for every kind of bad entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from thrifty.checks.config import DEFAULT_TIMEOUT_S, ConfigError, load_config


def test_short_and_long_forms_become_argv_with_timeout_format_and_file_rules(project: Path, write) -> None:
    write("pyproject.toml", """
        [tool.thrifty.checks]
        tests = "python -m pytest -q"
        lint = "ruff check ."
        [tool.thrifty.checks.types]
        command = "mypy src"
        timeout = 30
        [tool.thrifty.checks.docs]
        command = ["sh", "-c", "make docs"]
        files = ["*.md"]
    """)
    (project / "src").mkdir()
    config = load_config(project)
    assert config is not None and config.source == "pyproject.toml"
    tests, lint, types, docs = config.checks.values()
    assert tests.argv == ("python", "-m", "pytest", "-q") and tests.format == "pytest"
    assert tests.timeout == DEFAULT_TIMEOUT_S and tests.files == ("test_*.py", "*_test.py")
    assert lint.format == "ruff" and lint.files
    assert types.argv == ("mypy", "src") and types.timeout == 30 and types.format == "mypy"
    assert docs.argv == ("sh", "-c", "make docs") and docs.files == ("*.md",) and docs.format == "generic"
    assert types.origin == "pyproject.toml [tool.thrifty.checks.types]"


def test_thrifty_toml_beside_pyproject_wins(project: Path, write) -> None:
    write("pyproject.toml", '[tool.thrifty.checks]\ntests = "pytest"\n')
    write(".thrifty.toml", '[checks]\nunit = "python -m unittest"\n')
    config = load_config(project)
    assert config is not None and config.source == ".thrifty.toml"
    assert list(config.checks) == ["unit"] and config.checks["unit"].format == "unittest"


def test_no_configuration_returns_none_so_detection_applies(project: Path, write) -> None:
    write("pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(project) is None


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('tests = "pytest && ruff check ."', "only works in a shell"),
        ('tests = "pytest \'unclosed"', "cannot be split"),
        ('tests = ""', "the command is empty"),
        ('tests = ["pytest", "a\\u0000b"]', "contains a NUL character"),
        ('[tool.thrifty.checks.tests]\ncommand = "pytest"\ncwd = "/"', "outside the project root"),
        ("tests = 3", "needs a command"),
        ('[tool.thrifty.checks.tests]\ncommand = "pytest"\ntimeout = -1', "timeout must be a number"),
        ('[tool.thrifty.checks.tests]\ncommand = "pytest"\ntimout = 5', "unknown key(s) timout; allowed: command"),
        ('[tool.thrifty.checks.tests]\ncommand = "pytest"\ncwd = "../elsewhere"', "outside the project root"),
        ('[tool.thrifty.checks.tests]\ncommand = "pytest"\ncwd = "missing"', "is not a directory"),
        ('[tool.thrifty.checks.tests]\ncommand = "pytest"\nformat = "junit"', "format 'junit' is not one of"),
        ('[tool.thrifty.checks.tests]\ncommand = "pytest"\nfiles = "yes"', "files must be true, false or a list"),
        ('"run tests" = "pytest"', "check names use letters"),
    ],
)
def test_bad_entries_get_a_message_naming_the_file_the_check_and_the_fix(
    project: Path, write, entry: str, expected: str
) -> None:
    header = "" if entry.startswith("[") else "[tool.thrifty.checks]\n"
    write("pyproject.toml", header + entry + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(project)
    assert expected in str(caught.value)
    assert str(caught.value).startswith("pyproject.toml")


def test_invalid_toml_is_reported_with_the_file_name(project: Path, write) -> None:
    write("pyproject.toml", "[tool.thrifty.checks\ntests = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML"):
        load_config(project)


def test_a_config_file_that_is_not_utf8_is_reported_with_its_name_and_line(project: Path) -> None:
    (project / ".thrifty.toml").write_bytes(b'[checks]\ntests = "pytest \xff"\n')
    with pytest.raises(ConfigError, match=r"^\.thrifty\.toml: invalid TOML \(not UTF-8 at line 2\)"):
        load_config(project)


def test_a_cwd_symlinked_out_of_the_project_is_refused(project: Path, write, tmp_path: Path) -> None:
    (project / "out").symlink_to(tmp_path, target_is_directory=True)
    write(".thrifty.toml", '[checks.tests]\ncommand = "pytest"\ncwd = "out"\n')
    with pytest.raises(ConfigError, match=r"^\.thrifty\.toml \[checks\.tests\]: cwd out: outside the project root"):
        load_config(project)


def test_a_cwd_inside_the_project_is_kept_relative(project: Path, write) -> None:
    (project / "backend").mkdir()
    write("pyproject.toml", '[tool.thrifty.checks.api]\ncommand = "pytest"\ncwd = "backend"\n')
    config = load_config(project)
    assert config is not None and config.checks["api"].cwd == "backend"
