"""Parsers for tools not installed here (mypy, flake8, pyright, eslint, tsc, go test, jest).

Each input below is representative output written here, in the format the named tool prints (its default output
unless a variant is named); it is not captured from a run, since the tool is absent from this machine.
"""

from __future__ import annotations

from pathlib import Path

from thrifty.checks.parsers import ParseContext, parse_output

ROOT = Path("/home/dev/proj")
CTX = ParseContext(ROOT, ROOT)


def _names(fmt: str, text: str) -> list[tuple[str, str]]:
    return [(f.name, f.code) for f in parse_output(fmt, text, CTX).findings]


MYPY = """\
src/app.py:3: error: Incompatible return value type (got "str", expected "int")  [return-value]
src/app.py:7:5: error: Name "undefined_name" is not defined  [name-defined]
src/util.py:1: error: Library stubs not installed for "requests"  [import-untyped]
src/util.py:1: note: Hint: "python3 -m pip install types-requests"
src/util.py:1: note: (or run "mypy --install-types" to install all missing stub packages)
Found 3 errors in 2 files (checked 5 source files)
"""


def test_mypy_errors_with_codes_notes_attached_and_the_found_line() -> None:
    parsed = parse_output("mypy", MYPY, CTX)
    assert _names("mypy", MYPY) == [
        ("src/app.py:3", "return-value"), ("src/app.py:7:5", "name-defined"), ("src/util.py:1", "import-untyped")]
    assert parsed.summary == "Found 3 errors in 2 files (checked 5 source files)"
    assert parsed.counts == {"errors": 3, "files": 2} and parsed.total == 3
    assert "types-requests" in parsed.findings[2].detail
    success = parse_output("mypy", "Success: no issues found in 5 source files\n", CTX)
    assert success.summary.startswith("Success") and success.findings == []


FLAKE8 = """\
./src/app.py:1:1: F401 'os' imported but unused
./src/app.py:10:80: E501 line too long (95 > 79 characters)
./tests/test_x.py:3:1: E302 expected 2 blank lines, found 1
3
"""


def test_flake8_findings_and_its_count() -> None:
    parsed = parse_output("flake8", FLAKE8, CTX)
    assert _names("flake8", FLAKE8) == [("./src/app.py:1:1", "F401"), ("./src/app.py:10:80", "E501"),
                                        ("./tests/test_x.py:3:1", "E302")]
    assert parsed.total == 3 and parsed.summary == "3 findings"


PYRIGHT = """\
/home/dev/proj/src/app.py
  /home/dev/proj/src/app.py:3:12 - error: Type "Literal['x']" is not assignable to return type "int"
    "Literal['x']" is not assignable to "int" (reportReturnType)
  /home/dev/proj/src/app.py:8:8 - warning: Import "yaml" could not be resolved from source (reportMissingModuleSource)
  /home/dev/proj/src/app.py:9:1 - information: Unused expression
2 errors, 1 warning, 0 informations \n"""


def test_pyright_findings_relative_to_the_root_with_rules_from_multi_line_messages() -> None:
    parsed = parse_output("pyright", PYRIGHT, CTX)
    assert _names("pyright", PYRIGHT) == [("src/app.py:3:12", "reportReturnType"),
                                          ("src/app.py:8:8", "reportMissingModuleSource")]
    assert parsed.counts == {"errors": 2, "warnings": 1} and parsed.summary == "2 errors, 1 warning, 0 informations"
    assert parsed.findings[0].detail == "\"Literal['x']\" is not assignable to \"int\""


ESLINT_STYLISH = """
/home/dev/proj/src/index.js
   1:7   error    'unused' is assigned a value but never used  no-unused-vars
   4:3   warning  Unexpected console statement                 no-console
  12:20  error    Parsing error: Unexpected token )

/home/dev/proj/src/util.ts
  2:10  error  'x' is defined but never used  @typescript-eslint/no-unused-vars

✖ 4 problems (3 errors, 1 warning)
  0 errors and 1 warning potentially fixable with the `--fix` option.

"""

ESLINT_UNIX = """\
/home/dev/proj/src/index.js:1:7: 'unused' is assigned a value but never used. [Error/no-unused-vars]
/home/dev/proj/src/index.js:4:3: Unexpected console statement. [Warning/no-console]

2 problems
"""


def test_eslint_stylish_and_unix_formats() -> None:
    parsed = parse_output("eslint", ESLINT_STYLISH, CTX)
    assert _names("eslint", ESLINT_STYLISH) == [
        ("src/index.js:1:7", "no-unused-vars"), ("src/index.js:4:3", "no-console"), ("src/index.js:12:20", "error"),
        ("src/util.ts:2:10", "@typescript-eslint/no-unused-vars")]
    assert parsed.counts == {"problems": 4, "errors": 3, "warnings": 1}
    assert parsed.findings[2].message == "Parsing error: Unexpected token )"
    assert _names("eslint", ESLINT_UNIX) == [("src/index.js:1:7", "no-unused-vars"), ("src/index.js:4:3", "no-console")]


TSC_PLAIN = """\
src/index.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.
src/index.ts(10,1): error TS2304: Cannot find name 'foo'.
src/other.ts(1,20): error TS2307: Cannot find module './missing' or its corresponding type declarations.
"""

TSC_PRETTY = """\
src/index.ts:3:7 - error TS2322: Type 'string' is not assignable to type 'number'.

3 const n: number = "x";
        ~

src/index.ts:10:1 - error TS2304: Cannot find name 'foo'.

10 foo();
   ~~~


Found 2 errors in the same file, starting at: src/index.ts:3

"""


def test_tsc_plain_and_pretty_output() -> None:
    assert _names("tsc", TSC_PLAIN) == [("src/index.ts:3:7", "TS2322"), ("src/index.ts:10:1", "TS2304"),
                                        ("src/other.ts:1:20", "TS2307")]
    assert parse_output("tsc", TSC_PLAIN, CTX).counts == {"errors": 3}
    pretty = parse_output("tsc", TSC_PRETTY, CTX)
    assert [(f.name, f.code) for f in pretty.findings] == [
        ("src/index.ts:3:7", "TS2322"), ("src/index.ts:10:1", "TS2304")]
    assert pretty.summary.startswith("Found 2 errors") and pretty.findings[0].detail == ""


GO_TEST = """\
--- FAIL: TestAdd (0.00s)
    add_test.go:9: Add(1, 2) = 4; want 3
--- FAIL: TestTable (0.00s)
    --- FAIL: TestTable/negative (0.00s)
        add_test.go:21: Add(-1, -2) = 0; want -3
FAIL
FAIL\texample.com/calc\t0.002s
ok  \texample.com/calc/util\t0.001s
FAIL
"""

GO_PANIC = """\
--- FAIL: TestDivide (0.00s)
panic: runtime error: integer divide by zero [recovered]
\tpanic: runtime error: integer divide by zero

goroutine 7 [running]:
testing.tRunner.func1.2({0x4f1a40, 0x5c2b90})
\t/usr/local/go/src/testing/testing.go:1631 +0x24a
example.com/calc.Divide(...)
\t/home/dev/calc/calc.go:12
example.com/calc.TestDivide(0xc000007040?)
\t/home/dev/calc/calc_test.go:30 +0x18
FAIL\texample.com/calc\t0.004s
"""

GO_BUILD = """\
# example.com/calc [example.com/calc.test]
./calc.go:5:2: undefined: fmtt
./calc_test.go:8:9: cannot use "x" (untyped string constant) as int value in return statement
FAIL\texample.com/calc [build failed]
"""


def test_go_test_failures_subtests_packages_panics_and_build_errors() -> None:
    parsed = parse_output("gotest", GO_TEST, CTX)
    assert _names("gotest", GO_TEST) == [("TestAdd", "FAIL"), ("TestTable", "FAIL"), ("TestTable/negative", "FAIL")]
    assert parsed.findings[0].message == "add_test.go:9: Add(1, 2) = 4; want 3"
    assert parsed.summary == "1 package ok, 1 failed (example.com/calc)"
    panic = parse_output("gotest", GO_PANIC, CTX)
    assert ("panic", "panic") in [(f.name, f.code) for f in panic.findings]
    detail = next(f.detail for f in panic.findings if f.code == "panic")
    assert "/home/dev/calc/calc_test.go:30" in detail and "/usr/local/go/src/testing" not in detail
    assert _names("gotest", GO_BUILD) == [("./calc.go:5:2", "build"), ("./calc_test.go:8:9", "build")]


JEST = """\
 FAIL  src/sum.test.js
  ● sum › adds negative numbers

    expect(received).toBe(expected) // Object.is equality

    Expected: -3
    Received: 3

      4 |   test('adds negative numbers', () => {
    > 5 |     expect(sum(-1, -2)).toBe(-3);
        |                         ^
      6 |   });

      at Object.toBe (src/sum.test.js:5:25)
      at Promise.then.completed (node_modules/jest-circus/build/utils.js:298:28)

 PASS  src/other.test.js

Test Suites: 1 failed, 1 passed, 2 total
Tests:       1 failed, 4 passed, 5 total
Snapshots:   0 total
Time:        0.512 s
Ran all test suites.
"""


def test_jest_output_through_npm_test_is_named_by_the_generic_parser() -> None:
    parsed = parse_output("generic", JEST, CTX)
    assert parsed.format == "generic" and parsed.summary == "1 failed, 4 passed, 5 total"
    assert [(f.name, f.message) for f in parsed.findings] == [
        ("sum › adds negative numbers", "expect(received).toBe(expected) // Object.is equality")]
    detail = parsed.findings[0].detail
    assert "src/sum.test.js:5:25" in detail and "node_modules" not in detail


def test_generic_output_from_a_known_tool_is_claimed_by_that_tools_parser() -> None:
    assert parse_output("generic", MYPY, CTX).format == "mypy"
    assert parse_output("generic", ESLINT_STYLISH, CTX).format == "eslint"
    assert parse_output("generic", GO_TEST, CTX).format == "gotest"
    assert parse_output("generic", TSC_PLAIN, CTX).format == "tsc"


def test_unrecognised_output_with_a_python_traceback_names_the_exception() -> None:
    text = (
        "starting\nTraceback (most recent call last):\n"
        '  File "/home/dev/proj/run.py", line 3, in <module>\n    main()\n'
        '  File "/usr/lib/python3.12/json/__init__.py", line 346, in loads\n    return _default_decoder.decode(s)\n'
        '  File "/usr/lib/python3.12/json/decoder.py", line 337, in decode\n    obj, end = self.raw_decode(s)\n'
        "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n"
    )
    parsed = parse_output("generic", text, CTX)
    assert [(f.name, f.message) for f in parsed.findings] == [
        ("traceback", "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)")]
    assert "[1 library frame omitted: json/__init__.py]" in parsed.findings[0].detail
    assert "json/decoder.py\", line 337" in parsed.findings[0].detail  # where it was raised stays
