"""Parsing rg's compact per-file output: grouping, counting, binary reports, truncated tails."""

from __future__ import annotations

from pathlib import Path

from thrifty.search import rg
from thrifty.search.hits import parse


def _search(root: Path, *patterns: str, paths: tuple[str, ...] = (".",)) -> bytes:
    return rg.run(rg.search_argv(rg.find_rg(), list(patterns), [], list(paths)), root).stdout


def test_matches_are_grouped_per_file_sorted_with_occurrences_per_line(project: Path, write) -> None:
    write("b.txt", "x\nneedle needle\n")
    write("a/c.txt", "needle\nno\nneedle\n")
    parsed = parse(_search(project, "needle"))
    assert [(f.path, f.matches, f.match_lines()) for f in parsed.files] == [
        ("a/c.txt", 2, [(1, 1), (3, 1)]),
        ("b.txt", 2, [(2, 2)]),
    ]


def test_binary_files_are_skipped_and_listed(project: Path, write) -> None:
    write("text.txt", "needle\n")
    write("named.bin", b"needle\x00\x01")
    write("late.bin", b"needle first\n" + b"x\n" * 50_000 + b"needle\x00")
    parsed = parse(_search(project, "needle", paths=("named.bin", "late.bin", "text.txt")))
    assert [f.path for f in parsed.files] == ["text.txt"]
    assert sorted(parsed.binary) == ["late.bin", "named.bin"]


def test_a_file_reached_through_two_paths_counts_once(project: Path, write) -> None:
    write("src/a.txt", "needle\n")
    parsed = parse(_search(project, "needle", paths=(".", "src")))
    assert [(f.path, f.matches) for f in parsed.files] == [("src/a.txt", 1)]


def test_a_truncated_tail_keeps_the_complete_rows() -> None:
    parsed = parse(b"a.py\x0012:\n40:\n\nb.py\x003:\n4")
    assert [(f.path, f.match_lines()) for f in parsed.files] == [("a.py", [(12, 1), (40, 1)]), ("b.py", [(3, 1)])]


def test_no_output_means_no_files() -> None:
    assert parse(b"").files == []
