"""The ripgrep runner: finding rg, argument lists without a shell, time and output bounds, naming bad patterns."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from thrifty.search import rg
from thrifty.search.hits import parse


def test_rg_is_found_next_to_the_interpreter_first() -> None:
    assert rg.find_rg() == str(Path(sys.executable).parent / "rg")


def test_missing_rg_gets_an_actionable_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(rg.RgNotFound, match="ripgrep.*not found.*install"):
        rg.find_rg()


def test_patterns_and_paths_that_look_like_flags_are_searched_literally(project: Path, write) -> None:
    write("-rf.txt", "keep --help here\n-e too\n")
    argv = rg.search_argv(rg.find_rg(), ["--help", "-e"], [], ["-rf.txt"])
    assert argv[-2:] == ["--", "-rf.txt"]
    files = parse(rg.run(argv, project).stdout).files
    assert [(f.path, f.match_lines()) for f in files] == [("-rf.txt", [(1, 1), (2, 1)])]


def test_each_invalid_pattern_is_named_with_rgs_reason() -> None:
    bad = rg.bad_patterns(rg.find_rg(), ["ok", "a(b", "[z", "fine.*"])
    assert [p for p, _ in bad] == ["a(b", "[z"]
    assert bad[0][1] == "unclosed group"
    assert bad[1][1] == "unclosed character class"


@pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")), reason="a shell script stands in for rg")
def test_finding_bad_patterns_stops_at_the_calls_deadline_and_names_the_unchecked(tmp_path: Path) -> None:
    import time

    slow = tmp_path / "slow-rg"
    slow.write_text("#!/bin/sh\nexec sleep 5\n", encoding="utf-8")
    slow.chmod(0o755)
    started = time.monotonic()
    bad = rg.bad_patterns(str(slow), ["a(", "b(", "c(", "d("], time_left=0.3)
    assert time.monotonic() - started < 3
    assert [p for p, _ in bad] == ["a(", "b(", "c(", "d("]
    assert all(reason.startswith("not checked: the call's time ran out") for _, reason in bad)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_run_past_its_timeout_is_killed_and_reported(project: Path) -> None:
    os.mkfifo(project / "pipe")  # rg blocks opening it until killed: a run that cannot finish in time
    argv = rg.search_argv(rg.find_rg(), ["needle"], [], ["pipe"])
    run = rg.run(argv, project, timeout=0.2)
    assert run.timed_out


def test_output_past_the_cap_stops_reading_and_keeps_what_came(project: Path, write) -> None:
    write("big.txt", "needle\n" * 200_000)
    argv = rg.search_argv(rg.find_rg(), ["needle"], [], ["."])
    run = rg.run(argv, project, max_bytes=64 * 1024)
    assert run.capped and not run.timed_out
    assert 64 * 1024 <= len(run.stdout) < 2 * 1024 * 1024
    assert rg.count_matches(rg.find_rg(), ["needle"], [], ["."], project, timeout=10) == (1, 200_000)
