"""Parsers on real output: tools installed here run on generated projects and their own output is parsed.

pytest's own junit XML is the independent list of what failed; node and cargo tests skip when those are absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from thrifty.checks.env import check_env
from thrifty.checks.parsers import ParseContext, parse_output

PYTEST_PROJECT = {
    "src/calc.py": """
        import json


        def load(text):
            return json.loads(text)


        def depth(n):
            return depth(n + 1)
    """,
    "tests/test_calc.py": """
        import sys

        import pytest

        sys.path.insert(0, "src")
        import calc


        def check_positive(x):
            assert x > 0, f"{x} is not positive"


        def test_ok():
            assert calc.load("[1]") == [1]


        def test_assert():
            assert calc.load("[1, 2]") == [1, 3]


        def test_helper():
            check_positive(-5)


        def test_library():
            calc.load("{oops")


        def test_recursion():
            calc.depth(0)


        class TestGroup:
            def test_method(self):
                assert "abc".upper() == "ABd"


        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_param(n):
            assert n != 2


        @pytest.fixture
        def broken():
            raise RuntimeError("fixture exploded")


        def test_uses_broken(broken):
            pass
    """,
    "tests/test_import_error.py": "import not_a_module_anywhere\n",
}


def _project(root: Path, files: dict[str, str]) -> None:
    import textwrap

    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _run(root: Path, *argv: str) -> str:
    done = subprocess.run(
        list(argv), cwd=root, env=check_env(root), capture_output=True, text=True, timeout=120, check=False,
    )
    return done.stdout + done.stderr


def _junit_failures(report: Path) -> set[str]:
    """pytest's own list of failed and errored tests, as node ids."""
    failed: set[str] = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            path, name = case.get("file", ""), case.get("name", "")
            parts = case.get("classname", "").split(".")
            module = Path(path).stem
            inner = parts[parts.index(module) + 1:] if module in parts else []
            error = case.find("error")
            collection_error = error is not None and error.get("message") == "collection failure"
            failed.add(path if collection_error else "::".join([path, *inner, name]))
    return failed


@pytest.mark.parametrize("style", ["auto", "short", "long", "native", "line"])
def test_pytest_failures_match_pytest_own_junit_list_in_every_traceback_style(project: Path, style: str) -> None:
    _project(project, PYTEST_PROJECT)
    report = project / "report.xml"
    text = _run(project, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--tb={style}",
                "--continue-on-collection-errors", f"--junitxml={report}", "-o", "junit_family=xunit1")
    parsed = parse_output("pytest", text, ParseContext(project, project))
    names = {f.name for f in parsed.findings}
    assert names == _junit_failures(report)
    assert len(names) == 8
    assert parsed.counts == {"failed": 6, "passed": 3, "errors": 2} and parsed.total == 8
    assert parsed.summary.startswith("6 failed, 3 passed, 2 errors in ")
    by_name = {f.name: f for f in parsed.findings}
    assert by_name["tests/test_calc.py::test_helper"].message == "AssertionError: -5 is not positive"
    assert by_name["tests/test_import_error.py"].code == "ERROR"
    if style in ("auto", "long", "short", "native"):
        library = by_name["tests/test_calc.py::test_library"].detail
        assert "library frame" in library and "omitted: json/__init__.py, json/decoder.py" in library
        assert "calc.py" in library and "JSONDecodeError" in library  # the project's frame and the exception stay
        recursion = by_name["tests/test_calc.py::test_recursion"].detail
        assert "repeated" in recursion and len(recursion.splitlines()) < 40


def test_pytest_verbose_lines_name_failures_even_without_a_short_summary(project: Path) -> None:
    _project(project, PYTEST_PROJECT)
    text = _run(project, sys.executable, "-m", "pytest", "-v", "-rN", "-p", "no:cacheprovider",
                "--continue-on-collection-errors", "tests/test_calc.py")
    parsed = parse_output("pytest", text, ParseContext(project, project))
    assert "tests/test_calc.py::test_param[2]" in {f.name for f in parsed.findings}
    assert "tests/test_calc.py::TestGroup::test_method" in {f.name for f in parsed.findings}
    assert parsed.counts["failed"] == 6


def test_pytest_names_each_failing_unittest_subtest_with_its_parameters(project: Path) -> None:
    _project(project, {"tests/test_sub.py": """
        import unittest


        class Primes(unittest.TestCase):
            def test_small(self):
                for n in (2, 3, 4, 9):
                    with self.subTest(n=n):
                        self.assertTrue(all(n % d for d in range(2, n)), f"{n} is not prime")
    """})
    text = _run(project, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    parsed = parse_output("pytest", text, ParseContext(project, project))
    names = [f.name for f in parsed.findings]
    if "SUBFAILED" not in text:  # pytest before 9 reports the test once
        assert names == ["tests/test_sub.py::Primes::test_small"]
        return
    assert names == ["tests/test_sub.py::Primes::test_small (n=4)", "tests/test_sub.py::Primes::test_small (n=9)"]
    assert all("is not prime" in f.message and f.detail for f in parsed.findings)


def test_pytest_output_run_through_another_command_is_recognised_by_the_generic_parser(project: Path) -> None:
    _project(project, PYTEST_PROJECT)
    text = _run(project, "sh", "-c", f"'{sys.executable}' -m pytest -q -p no:cacheprovider tests/test_calc.py")
    parsed = parse_output("generic", text, ParseContext(project, project))
    assert parsed.format == "pytest" and parsed.counts["failed"] == 6


def test_unittest_failures_errors_and_counts_from_real_output(project: Path) -> None:
    _project(project, {"test_units.py": """
        import json
        import unittest


        class Units(unittest.TestCase):
            def test_equal(self):
                self.assertEqual(1 + 1, 3)

            def test_error(self):
                json.loads("{bad")

            def test_fine(self):
                pass

            @unittest.skip("not today")
            def test_skipped(self):
                pass

            def test_sub(self):
                for i in range(3):
                    with self.subTest(i=i):
                        self.assertLess(i, 2)
    """})
    text = _run(project, sys.executable, "-m", "unittest", "test_units")
    parsed = parse_output("unittest", text, ParseContext(project, project))
    assert parsed.summary.startswith("Ran 5 tests in ")
    assert parsed.summary.endswith("FAILED (failures=2, errors=1, skipped=1)")
    assert parsed.counts["failures"] == 2 and parsed.counts["errors"] == 1 and parsed.counts["passed"] == 1
    names = {f.name: f for f in parsed.findings}
    assert set(names) == {"test_units.Units.test_equal", "test_units.Units.test_error",
                          "test_units.Units.test_sub (i=2)"}
    assert names["test_units.Units.test_equal"].message == "AssertionError: 2 != 3"
    error = names["test_units.Units.test_error"].detail
    assert "library frames omitted: json/__init__.py, json/decoder.py" in error and "test_units.py" in error


@pytest.mark.parametrize("output_format", ["full", "concise"])
def test_ruff_findings_in_both_output_formats(project: Path, output_format: str) -> None:
    _project(project, {
        "pyproject.toml": '[tool.ruff]\nlint.select = ["F", "E"]\n',
        "a.py": "import os\nimport sys\n\nx = undefined_name\n",
        "b.py": "def f(:\n    pass\n",
    })
    text = _run(project, "ruff", "check", f"--output-format={output_format}", ".")
    parsed = parse_output("ruff", text, ParseContext(project, project))
    found = {(f.name, f.code) for f in parsed.findings}
    assert {("a.py:1:8", "F401"), ("a.py:2:8", "F401"), ("a.py:4:5", "F821")} <= found
    assert any(name.startswith("b.py:1:") for name, _ in found)  # the syntax error is named too
    assert parsed.total == len(parsed.findings) and parsed.summary.startswith("Found ")


def test_ruff_all_checks_passed(project: Path) -> None:
    _project(project, {"pyproject.toml": '[tool.ruff]\nlint.select = ["F"]\n', "a.py": "x = 1\n"})
    parsed = parse_output("ruff", _run(project, "ruff", "check", "."), ParseContext(project, project))
    assert parsed.summary == "All checks passed!" and parsed.findings == [] and parsed.counts == {"errors": 0}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_test_runner_tap_output_is_named_by_the_generic_parser(project: Path) -> None:
    _project(project, {"sum.test.js": """
        const test = require('node:test');
        const assert = require('node:assert');
        test('adds', () => assert.strictEqual(1 + 2, 3));
        test('adds wrongly', () => assert.strictEqual(1 + 2, 4));
    """})
    text = _run(project, "node", "--test", "--test-reporter=tap")
    parsed = parse_output("generic", text, ParseContext(project, project))
    assert [f.name for f in parsed.findings] == ["adds wrongly"]
    assert parsed.counts["fail"] == 1 and parsed.counts["pass"] == 1
    assert "3 !== 4" in parsed.findings[0].detail and "node:internal" not in parsed.findings[0].detail


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not installed")
def test_cargo_test_failures_panics_and_compile_errors_from_real_cargo(project: Path) -> None:
    _project(project, {
        "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/lib.rs": """
            pub fn add(a: i32, b: i32) -> i32 { a + b }
            #[cfg(test)]
            mod tests {
                use super::*;
                #[test] fn adds() { assert_eq!(add(1, 2), 3); }
                #[test] fn adds_wrongly() { assert_eq!(add(1, 2), 4, "one plus two"); }
                #[test] fn indexes() { let v: Vec<i32> = Vec::new(); let _ = v[3]; }
            }
        """,
    })
    env_target = {"CARGO_TARGET_DIR": str(project / "target")}
    os.environ.update(env_target)
    try:
        text = _run(project, "cargo", "test", "--offline", "-q")
        parsed = parse_output("cargo", text, ParseContext(project, project))
        assert {f.name for f in parsed.findings} == {"tests::adds_wrongly", "tests::indexes"}
        assert parsed.counts["failed"] == 2 and parsed.counts["passed"] == 1
        wrong = next(f for f in parsed.findings if f.name == "tests::adds_wrongly")
        assert "one plus two" in wrong.message and "left: 3" in wrong.detail
        (project / "src/lib.rs").write_text('pub fn add(a: i32) -> i32 { "no" }\n', encoding="utf-8")
        text = _run(project, "cargo", "test", "--offline", "-q")
        broken = parse_output("cargo", text, ParseContext(project, project))
        assert [(f.name, f.code) for f in broken.findings] == [("src/lib.rs:1:29", "E0308")]
    finally:
        for key in env_target:
            os.environ.pop(key, None)
