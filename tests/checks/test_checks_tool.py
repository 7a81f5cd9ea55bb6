"""run_checks through the real MCP client on small real projects: real pytest, real ruff, real processes."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

import git
import pytest
from checks_support import FAILING_TESTS, LINT_ERRORS, PASSING_TESTS, call_run_checks

from fixtures_gen.mcp_client import listed_tools
from thrifty.checks.render import named_in_text
from thrifty.paths import data_dir
from thrifty.textout import estimate_tokens

pytestmark = pytest.mark.anyio

RUFF_CONFIG = '[tool.ruff]\nlint.select = ["F"]\n'  # fixed rules, whatever the user-level ruff config says


def _configure(write, checks: str) -> None:
    write("pyproject.toml", RUFF_CONFIG + "[tool.thrifty.checks]\n" + checks)


async def test_failing_tests_and_lint_findings_are_named_with_counts_tracebacks_and_logs(project: Path, write) -> None:
    write("tests/test_math.py", FAILING_TESTS)
    write("tests/test_other.py", PASSING_TESTS)
    write("src/app.py", LINT_ERRORS)
    _configure(write, 'tests = "python -m pytest -q"\nlint = "ruff check ."\nok = "python -c pass"\n')
    call = await call_run_checks(project)
    text = call.text
    assert not call.is_error
    assert text.splitlines()[0].startswith("run_checks: tests FAILED, lint FAILED, ok passed · 3 checks in")
    assert "== tests: FAILED · exit 1 · " in text and "summary: 2 failed, 3 passed in " in text
    assert "FAILED tests/test_math.py::test_sum - assert 3 == 4" in text
    assert "FAILED tests/test_math.py::test_json - json.decoder.JSONDecodeError: Expecting property name" in text
    assert "library frames omitted: json/__init__.py, json/decoder.py]" in text  # stdlib frames trimmed
    assert "> parse(\"{broken\")" in text and "tests/test_math.py:6: in parse" in text  # project frames kept
    assert "summary: Found 2 errors." in text
    assert ("F401 `os` imported but unused\n    src/app.py:2:8\n"
            "F401 `sys` imported but unused\n    src/app.py:3:8") in text
    assert text.index("== lint") < text.index("ok: passed")  # failures first, passed checks one line at the end
    tests = call.check("tests")
    assert tests["counts"] == {"failed": 2, "passed": 3} and tests["exit_code"] == 1
    assert Path(tests["log_path"]).read_text(encoding="utf-8").count("FAILED") == 2
    assert f"log: {tests['log_path']}" in text
    assert call.progress[-1][:2] == (3, 3) and all("done" in (m or "") for *_, m in call.progress)


async def test_a_command_passed_as_a_check_name_never_runs_and_nothing_else_runs_either(project: Path, write) -> None:
    _configure(write, 'tests = ["python", "-c", "open(\'ran-tests\', \'w\')"]\n')
    injected = ["tests", "python -c \"open('pwned', 'w')\"", "tests; touch pwned2", "rm -rf /"]
    call = await call_run_checks(project, checks=injected)
    assert call.is_error
    assert "unknown check name(s)" in call.text and "nothing was run. Valid names: tests." in call.text
    assert "'rm -rf /'" in call.text
    assert not any((project / name).exists() for name in ("pwned", "pwned2", "ran-tests"))
    assert not (data_dir() / "checks").exists()  # not even a run directory: refused before anything started


async def test_a_missing_executable_is_reported_with_how_to_fix_it_while_other_checks_run(project: Path, write) -> None:
    _configure(write, 'ok = "python -c pass"\n[tool.thrifty.checks.types]\ncommand = "thrifty-no-such-tool src"\n')
    call = await call_run_checks(project)
    assert "== types: ERROR · thrifty-no-such-tool src ==" in call.text
    assert (
        "executable 'thrifty-no-such-tool' not found; install it or fix pyproject.toml [tool.thrifty.checks.types]"
        in call.text
    )
    assert call.check("ok")["status"] == "passed" and call.check("types")["status"] == "error"


async def test_a_hanging_check_comes_back_timed_out_while_the_others_finish(project: Path, write) -> None:
    write("tests/test_fine.py", PASSING_TESTS)
    _configure(write, 'tests = "python -m pytest -q"\n[tool.thrifty.checks.hang]\n'
                      'command = ["python", "-c", "import time; print(\'waiting\', flush=True); time.sleep(600)"]\n'
                      "timeout = 1\n")
    call = await call_run_checks(project, timeout=30)  # the test's bound, far above the 1 s limit + kill grace
    assert "== hang: TIMED OUT · exit -15" in call.text
    assert "timed out after 1s; its process group was killed" in call.text
    assert "last lines of output:\n    waiting" in call.text
    assert call.check("hang")["status"] == "timed out" and call.check("tests")["status"] == "passed"


async def test_a_check_killed_by_a_signal_or_printing_binary_says_so_in_readable_text(project: Path, write) -> None:
    write("crash.py", "import os, signal\nprint('about to crash', flush=True)\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    write("garbage.py", "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 40 + b'\\nlast words\\n')\n"
                        "sys.exit(2)\n")
    _configure(write, 'crash = "python crash.py"\nbinary = "python garbage.py"\n')
    call = await call_run_checks(project)
    assert "killed by SIGSEGV (signal 11)" in call.text
    assert "last lines of output:\n    about to crash" in call.text
    assert call.check("binary")["status"] == "failed"
    assert "binary output not shown; the log has them]\n    last words" in call.text
    assert "\ufffd" not in call.text and "\x00" not in call.text
    assert Path(call.check("binary")["log_path"]).read_bytes().startswith(bytes(range(256)))


async def test_a_check_flooding_200_mb_is_returned_memory_safe_with_a_capped_log_and_text_in_budget(
    project: Path, write
) -> None:
    write("tests/test_flood.py", """
        import sys

        def test_noisy():
            block = ("x" * 99 + "\\n") * 10_000
            for _ in range(200):
                sys.stdout.write(block)
            assert False, "printed 200 MB"

        def test_quiet():
            pass
    """)
    _configure(write, 'flood = "python -m pytest -q -s -p no:cacheprovider"\n')
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    call = await call_run_checks(project, max_tokens=1500, timeout=120)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    flood = call.check("flood")
    assert flood["output_bytes"] > 200_000_000 and flood["log_truncated"]
    assert Path(flood["log_path"]).stat().st_size < 64 * 2**20 + 200
    assert [f["name"] for f in flood["findings"]] == ["tests/test_flood.py::test_noisy"]
    assert flood["counts"] == {"failed": 1, "passed": 1}
    assert estimate_tokens(call.text) <= 1500 and "bytes, capped)" in call.text
    if sys.platform == "linux":
        assert grown_mib < 150  # the 200 MB never sat in memory


async def test_paths_narrow_the_checks_that_take_files_and_the_result_says_which_ran_whole(
    project: Path, write
) -> None:
    write("tests/test_a.py", FAILING_TESTS)
    write("tests/test_b.py", FAILING_TESTS.replace("test_sum", "test_sum_b"))
    write("src/app.py", LINT_ERRORS)
    _configure(write, 'tests = "python -m pytest -q"\nlint = "ruff check ."\nwhole = "python -c pass"\n')
    call = await call_run_checks(project, paths=["tests/test_a.py", "src/app.py"])
    assert "narrowed to 2 paths: tests, lint; ran whole (take no file arguments): whole" in call.text
    tests, lint = call.check("tests"), call.check("lint")
    assert tests["narrowed_to"] == ["tests/test_a.py"] and lint["narrowed_to"] == ["tests/test_a.py", "src/app.py"]
    assert {f["name"] for f in tests["findings"]} == {"tests/test_a.py::test_sum", "tests/test_a.py::test_json"}
    assert tests["command"] == "python -m pytest -q tests/test_a.py" and lint["command"] == (
        "ruff check tests/test_a.py src/app.py")
    assert call.check("whole")["narrowed_to"] is None


async def test_a_pytest_node_id_in_paths_runs_just_that_test(project: Path, write) -> None:
    write("tests/test_a.py", FAILING_TESTS)
    _configure(write, 'tests = "python -m pytest -q"\n')
    call = await call_run_checks(project, paths=["tests/test_a.py::test_sum"])
    assert call.check("tests")["counts"] == {"failed": 1}
    assert "summary: 1 failed in" in call.text


async def test_changed_true_narrows_to_files_changed_against_head_plus_untracked_ones(project: Path, write) -> None:
    write("committed_dirty.py", "import os\n")  # has a finding, but is unchanged since HEAD
    write("edited.py", "x = 1\n")
    write(".gitignore", "ignored.py\n")
    _configure(write, 'lint = "ruff check ."\n')
    repo = git.Repo.init(project)
    repo.index.add(["committed_dirty.py", "edited.py", ".gitignore", "pyproject.toml"])
    actor = git.Actor("t", "t@example.com")
    repo.index.commit("initial", author=actor, committer=actor)
    repo.close()
    write("edited.py", "import sys\nx = 1\n")
    write("fresh.py", "import json\n")
    write("ignored.py", "import re\n")
    call = await call_run_checks(project, changed=True)
    lint = call.check("lint")
    assert lint["narrowed_to"] == ["edited.py", "fresh.py"]
    assert {f["name"] for f in lint["findings"]} == {"edited.py:1:8", "fresh.py:1:8"}
    assert "narrowed to 2 changed files: lint" in call.text


async def test_changed_true_outside_a_git_repository_says_to_pass_paths(project: Path, write) -> None:
    _configure(write, 'lint = "ruff check ."\n')
    call = await call_run_checks(project, changed=True)
    assert call.is_error and "changed=true needs a git repository" in call.text


async def test_without_configuration_detected_checks_run_and_are_named_as_detected(project: Path, write) -> None:
    write("tests/test_fine.py", PASSING_TESTS)
    write("pyproject.toml", RUFF_CONFIG)
    call = await call_run_checks(project)
    assert "detected (no [tool.thrifty.checks] configured): pytest, ruff" in call.text
    assert call.check("pytest")["status"] == "passed" and call.check("ruff")["source"] == "detected"
    assert "pytest: passed · " in call.text and "· 2 passed in " in call.text


async def test_a_tight_budget_counts_everything_it_cuts_in_an_omitted_note(project: Path, write) -> None:
    write("src/many.py", "".join(f"import mod{i}\n" for i in range(300)))
    write("tests/test_many.py", "".join(f"def test_{i}():\n    assert {i} == -1\n\n" for i in range(40)))
    _configure(write, 'tests = "python -m pytest -q"\nlint = "ruff check ."\n')
    call = await call_run_checks(project, max_tokens=800)
    assert estimate_tokens(call.text) <= 800
    named = named_in_text(call.text)
    for name, total, noun in (("tests", 40, "failures"), ("lint", 300, "findings")):
        findings = call.check(name)["findings"]
        shown = sum(1 for f in findings if f["name"] in named or f"{f['name']} {f['code']}" in named)
        assert 0 < shown < total
        assert f"omitted: {total - shown} more {noun} not named (budget)" in call.text


async def test_max_tokens_outside_the_allowed_range_is_refused_with_the_range(project: Path) -> None:
    call = await call_run_checks(project, max_tokens=10)
    assert call.is_error and "max_tokens must be between 200 and 60000" in call.text


async def test_bad_configuration_is_reported_not_raised(project: Path, write) -> None:
    write("pyproject.toml", '[tool.thrifty.checks]\ntests = "pytest | tee log"\n')
    call = await call_run_checks(project)
    assert call.is_error and "only works in a shell" in call.text


async def test_the_tool_definition_is_short_and_takes_only_names_paths_changed_and_a_budget(project: Path) -> None:
    tool = (await listed_tools(project))["run_checks"]
    size = len(json.dumps(tool.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":")))
    assert size < 600  # all tools together must stay within 1,500 bytes
    assert set(tool.input_schema["properties"]) == {"checks", "paths", "changed", "max_tokens"}
    assert "title" not in json.dumps(tool.input_schema) and "Bash" in (tool.description or "")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper is Linux only")
async def test_a_check_that_leaves_a_setsid_process_running_says_it_was_ended(project: Path, write) -> None:
    import os
    import shutil

    if shutil.which("setsid") is None:
        pytest.skip("needs setsid (util-linux)")
    # The check returns only once its escapee runs `sleep` (setsid execs it), so the name it is ended under is known.
    write("escape.py", "import subprocess, time\np = subprocess.Popen(['setsid', 'sleep', '300'])\n"
                       "open('sleeper.pid', 'w').write(str(p.pid))\n"
                       "deadline = time.monotonic() + 60\n"
                       "while open(f'/proc/{p.pid}/comm').read().strip() != 'sleep' and time.monotonic() < deadline:\n"
                       "    time.sleep(0.01)\n")
    _configure(write, 'serve = "python escape.py"\n')
    call = await call_run_checks(project)
    pid = int((project / "sleeper.pid").read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "serve: passed" in call.text and f"ended 1 process it left running: sleep (pid {pid})" in call.text
    assert call.check("serve")["leftovers"] == [f"sleep (pid {pid})"]
