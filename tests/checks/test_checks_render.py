"""The text: failures first and named before any traceback, passed checks one line, budget kept, cuts counted."""

from __future__ import annotations

import re

import pytest

from thrifty.checks.model import CheckResult, ChecksReport, Finding
from thrifty.checks.render import named_in_text, render_report
from thrifty.textout import estimate_tokens


def _test_failure(i: int, traceback_lines: int = 8) -> Finding:
    detail = "\n".join(f"tests/test_x.py:{n}: in helper_{i}" for n in range(traceback_lines))
    return Finding(name=f"tests/test_x.py::test_{i}", code="FAILED", message=f"assert {'x' * i} == -1",
                   detail=detail)


def _lint(i: int) -> Finding:
    return Finding(name=f"src/m.py:{i}:1", code="F401", message=f"`mod{i}` imported but unused")


def _report(tests: list[Finding], lint: list[Finding], passed: int = 1) -> ChecksReport:
    checks = [CheckResult(name=f"ok{i}", command="true", source="configured", status="passed", exit_code=0,
                          duration_s=0.1, summary="5 passed", log_path=f"/logs/ok{i}.log") for i in range(passed)]
    checks.append(CheckResult(
        name="tests", command="python -m pytest -q", source="configured", status="failed", exit_code=1,
        duration_s=2.0, summary=f"{len(tests)} failed, 10 passed in 1.9s", findings=tests,
        findings_total=len(tests), log_path="/logs/tests.log", output_bytes=1000,
    ))
    checks.append(CheckResult(
        name="lint", command="ruff check .", source="configured", status="failed", exit_code=1, duration_s=0.1,
        summary=f"Found {len(lint)} errors.", findings=lint, findings_total=len(lint), log_path="/logs/lint.log",
    ))
    return ChecksReport(checks=checks, config="pyproject.toml", wall_s=2.1)


def test_failing_checks_come_first_and_passed_checks_take_one_line() -> None:
    text = render_report(_report([_test_failure(1)], [_lint(1)]), 6000)
    lines = text.splitlines()
    assert lines[0] == "run_checks: ok0 passed, tests FAILED, lint FAILED · 3 checks in 2.1s wall"
    assert lines[1] == "== tests: FAILED · exit 1 · 2.0s · python -m pytest -q =="
    assert lines[-1] == "ok0: passed · 0.1s · 5 passed · log: /logs/ok0.log"
    assert "FAILED tests/test_x.py::test_1 - assert x == -1" in lines
    assert "F401 `mod1` imported but unused" in lines and "    src/m.py:1:1" in lines
    assert "log: /logs/lint.log" in text and "omitted" not in text


def test_every_failure_is_named_before_any_traceback_and_the_rest_is_counted() -> None:
    report = _report([_test_failure(i, traceback_lines=30) for i in range(20)], [])
    text = render_report(report, 1200)
    assert estimate_tokens(text) <= 1200
    assert all(f"FAILED tests/test_x.py::test_{i} - " in text for i in range(20))
    shown = len(re.findall(r"in helper_(\d+)$", text, re.M)) // 30
    assert 0 < shown <= 3
    assert f"omitted: {20 - shown} more tracebacks/details (names listed above); full log: /logs/tests.log" in text


def test_a_noisy_linter_does_not_crowd_out_the_failing_tests() -> None:
    report = _report([_test_failure(i) for i in range(3)], [_lint(i) for i in range(5000)])
    text = render_report(report, 600)
    assert estimate_tokens(text) <= 600
    assert all(f"tests/test_x.py::test_{i}" in text for i in range(3))
    named = sum(1 for name in named_in_text(text) if name.endswith(" F401"))
    assert f"omitted: {5000 - named} more findings not named (budget); full log: /logs/lint.log" in text


def test_a_first_traceback_bigger_than_the_budget_is_cut_at_its_end_with_a_note() -> None:
    report = _report([_test_failure(1, traceback_lines=2000)], [])
    text = render_report(report, 1000)
    assert estimate_tokens(text) <= 1000
    assert "tests/test_x.py:0: in helper_1" in text
    assert re.search(r"\[\d+ more lines of this traceback omitted; full log: /logs/tests.log\]", text)


def test_timeouts_and_errors_say_why_and_show_where_it_stopped() -> None:
    report = ChecksReport(config="detected", detected=["pytest", "mypy"], wall_s=3.0, checks=[
        CheckResult(name="pytest", command="python -m pytest -q", source="detected", status="timed out",
                    exit_code=-15, duration_s=3.0, message="timed out after 3s; its process group was killed",
                    output_tail=["tests/test_slow.py ...."], log_path="/logs/pytest.log"),
        CheckResult(name="mypy", command="mypy .", source="detected", status="error",
                    message="executable 'mypy' not found (detected: [tool.mypy]); install it, or configure ..."),
    ])
    text = render_report(report, 6000)
    assert "detected (no [tool.thrifty.checks] configured): pytest, mypy" in text
    assert "== pytest: TIMED OUT · exit -15 · 3.0s · python -m pytest -q ==" in text
    assert "last lines of output:\n    tests/test_slow.py ...." in text
    assert "== mypy: ERROR · mypy . ==\nexecutable 'mypy' not found" in text
    assert "log: none (it did not start)" in text


@pytest.mark.parametrize("max_tokens", [200, 300, 500, 1000, 2500, 6000])
def test_the_budget_is_never_exceeded(max_tokens: int) -> None:
    report = _report([_test_failure(i, 40) for i in range(60)], [_lint(i) for i in range(400)], passed=4)
    text = render_report(report, max_tokens)
    assert estimate_tokens(text) <= max_tokens
    assert "omitted" in text


def test_linter_findings_are_grouped_by_rule_and_folder_and_still_named_with_line_and_column() -> None:
    findings = [Finding(name=f"src/{f}.py:{i}:1", code="F401", message="unused") for f in ("b", "a") for i in (1, 2)]
    findings.append(Finding(name="setup.py:3:5", code="E501", message="Line too long (93 > 88)"))
    findings.append(Finding(name="lib/c.py:9:5", code="E501", message="Line too long (101 > 88)"))
    text = render_report(_report([], findings), 6000)
    assert "F401 unused\n    in src/: b.py:1:1, b.py:2:1, a.py:1:1, a.py:2:1\n" in text
    assert "E501 Line too long (93 > 88) · numbers vary\n    setup.py:3:5\n    lib/c.py:9:5\n" in text
    assert named_in_text(text) == {f"src/{f}.py:{i}:1 F401" for f in ("a", "b") for i in (1, 2)} | {
        "setup.py:3:5 E501", "lib/c.py:9:5 E501"}


def test_a_long_group_wraps_under_its_folder_and_every_finding_stays_named() -> None:
    findings = [Finding(name=f"tests/unit/test_{i:03}.py:{i}:1", code="E741", message="Ambiguous name: `l`")
                for i in range(60)]
    text = render_report(_report([], findings), 6000)
    listed = [line for line in text.splitlines() if line.startswith("    ")]
    assert listed[0].startswith("    in tests/unit/: test_000.py:0:1, ") and len(listed) > 3
    assert all(line.startswith("      test_") for line in listed[1:])
    assert all(len(line) <= 200 for line in listed)
    assert named_in_text(text) == {f"tests/unit/test_{i:03}.py:{i}:1 E741" for i in range(60)}


def test_tests_failing_with_the_same_error_are_listed_together_without_repeating_it() -> None:
    errors = ["KeyError: 'plums'", "ValueError: no", "KeyError: 'plums'", "KeyError: 'plums'"]
    failures = [Finding(name=f"t.py::test_{i}", code="FAILED", message=m, detail=f"tb {i}")
                for i, m in enumerate(errors)]
    text = render_report(_report(failures, []), 6000)
    assert (
        "FAILED t.py::test_0 - KeyError: 'plums'\n    tb 0\n  same error as above:\n    t.py::test_2,"
        " t.py::test_3\nFAILED t.py::test_1 - ValueError: no\n    tb 1\n"
    ) in text
    assert named_in_text(text) == {f"t.py::test_{i}" for i in range(4)}


def test_errors_differing_only_in_numbers_are_grouped_and_said_to_differ() -> None:
    failures = [Finding(name=f"tests/t.py::test_{i}", code="FAILED", message=f"AssertionError: got -{i}",
                        detail=f"tb {i}") for i in (1, 2, 3)]
    failures.insert(1, Finding(name="tests/t.py::test_1b", code="FAILED", message="AssertionError: got -1"))
    text = render_report(_report(failures, []), 6000)
    assert ("FAILED tests/t.py::test_1 - AssertionError: got -1\n    tb 1\n  same error as above:\n"
            "    tests/t.py::test_1b\n  same error as above, other numbers:\n    in tests/: t.py::test_2, t.py::test_3"
            ) in text
    assert "tb 2" not in text
    assert named_in_text(text) == {"tests/t.py::test_1", "tests/t.py::test_1b", "tests/t.py::test_2",
                                   "tests/t.py::test_3"}


def test_after_the_first_traceback_pytests_long_form_is_shortened_to_locations_and_errors() -> None:
    long_form = [
        "stock = Inventory(items={'apple': 10})", "", "    def test_remove(stock):", "        sku = 'plum'",
        ">       stock.remove(sku, 2)", "", "tests/test_s.py:31: ", "src/core.py:25: in remove",
        "    item = find(self.items, sku)", "", "    def find(items, key):", ">       return items[key]",
        "E       KeyError: 'plum'", "", "src/core.py:51: KeyError",
    ]
    failures = [Finding(name=f"tests/test_s.py::test_{i}", code="FAILED", message=error,
                        detail="\n".join(long_form)) for i, error in enumerate(("KeyError", "ValueError"))]
    text = render_report(_report(failures, []), 6000)
    first, second = text.split("FAILED tests/test_s.py::test_1 - ValueError\n")
    assert "    stock = Inventory(items={'apple': 10})\n" in first and "        def find(items, key):" in first
    assert second.startswith(
        "    > stock.remove(sku, 2)\n    tests/test_s.py:31:\n    src/core.py:25: in remove\n"
        "        item = find(self.items, sku)\n    > return items[key]\n    E KeyError: 'plum'\n"
        "    src/core.py:51: KeyError\n")


def test_tracebacks_past_the_first_few_are_counted_without_asking_for_a_larger_budget() -> None:
    report = _report([_test_failure(i, traceback_lines=3) for i in range(6)], [])
    text = render_report(report, 6000)
    assert "omitted: 3 more tracebacks/details (names listed above); full log: /logs/tests.log (1,000 bytes)\n" in text
    assert "larger max_tokens" not in text
