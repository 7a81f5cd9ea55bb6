"""Streaming file access: line counts, ranges, and refusals of binary, non-UTF-8 and special files."""

from __future__ import annotations

import os
import sys
import tracemalloc
from pathlib import Path

import pytest

from thrifty.errors import ToolError
from thrifty.read import files
from thrifty.read.files import NotText, inspect, read_lines
from thrifty.textout import MAX_LINE_CHARS, clip_line, numbered


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "lines"),
    [(b"", 0), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"a\nb\n", 2), (b"\n\n", 2), (b"a\r\nb\r\n", 2)],
)
def test_line_count_matches_the_number_of_lines_an_editor_shows(tmp_path: Path, data: bytes, lines: int) -> None:
    assert inspect(tmp_path, write(tmp_path / "f.txt", data), "f.txt").total_lines == lines


def test_ranges_are_one_based_inclusive_and_drop_carriage_returns_and_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "f.txt", "\ufeffone\r\ntwo\r\nthree\nfour".encode())
    assert read_lines(tmp_path, path, 1, 2) == ["one", "two"]
    assert read_lines(tmp_path, path, 3, 10) == ["three", "four"]
    assert read_lines(tmp_path, path, 5, 9) == []


def test_a_range_read_can_stop_once_a_budget_of_characters_is_filled(tmp_path: Path) -> None:
    path = write(tmp_path / "f.txt", b"0123456789\n" * 1000)
    assert len(read_lines(tmp_path, path, 1, 1000, max_chars=100)) == 10  # 11 chars a line: the 10th passes 100
    assert len(read_lines(tmp_path, path, 995, 1000, max_chars=10_000)) == 6


def test_ranges_read_correctly_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "CHUNK_BYTES", 7)
    lines = [f"line {n}" * (n % 4) for n in range(1, 60)]
    path = write(tmp_path / "f.txt", "\n".join(lines).encode())
    assert read_lines(tmp_path, path, 1, 59) == lines
    assert read_lines(tmp_path, path, 17, 23) == lines[16:23]
    assert inspect(tmp_path, path, "f.txt").total_lines == 59


def test_a_huge_single_line_keeps_only_its_start_and_counts_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path / "min.js", b"x" * 3_000_000 + b"\nend\n")
    first, second = read_lines(tmp_path, path, 1, 2)
    shown = first.split("…")[0]
    assert set(shown) == {"x"} and len(shown) == MAX_LINE_CHARS
    assert first.endswith(f"… [{3_000_000 - len(shown)} chars omitted]")
    assert numbered([first], 1) == [f"1 {first}"]  # the numbered output does not clip it again
    assert second == "end"


@pytest.mark.parametrize("line", ["é" * 5000, "x" + "€" * 5000, "a" * 5000 + "\r", "b" * 1000, "\ufeff" + "c" * 3000])
def test_a_long_line_is_clipped_once_with_the_exact_count_whether_read_whole_or_in_part(
    tmp_path: Path, line: str
) -> None:
    path = write(tmp_path / "long.txt", (line + "\nnext\n").encode())
    content = line.removesuffix("\r").removeprefix("\ufeff")
    expected = clip_line(content)
    assert expected.endswith(f"… [{len(content) - MAX_LINE_CHARS} chars omitted]")
    assert read_lines(tmp_path, path, 1, 2) == [expected, "next"]


def test_binary_files_are_refused_by_a_nul_byte_in_the_first_8_kib(tmp_path: Path) -> None:
    with pytest.raises(NotText, match=r"blob.bin: binary file"):
        inspect(tmp_path, write(tmp_path / "blob.bin", b"abc\x00def"), "blob.bin")


def test_non_utf8_files_are_refused_naming_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    with pytest.raises(NotText, match=r"latin.txt: not UTF-8 text \(byte 0xe9 on line 3"):
        inspect(tmp_path, write(tmp_path / "latin.txt", b"a\nb\ncaf\xe9\n"), "latin.txt")


def test_a_multibyte_character_split_across_chunks_is_still_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "CHUNK_BYTES", 3)
    path = write(tmp_path / "u.txt", "héllo wörld €\n".encode())
    assert inspect(tmp_path, path, "u.txt").total_lines == 1
    assert read_lines(tmp_path, path, 1, 1) == ["héllo wörld €"]


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_fifo_is_refused_instead_of_blocking_forever(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ToolError, match="not a regular file"):
        inspect(tmp_path, fifo, "pipe")


def test_a_large_file_is_counted_and_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    line = b"0123456789" * 7 + b"\n"  # 71 bytes
    with path.open("wb") as handle:
        block = line * 10_000
        for _ in range(100):  # ~71 MB
            handle.write(block)
    tracemalloc.start()
    try:
        info = inspect(tmp_path, path, "big.log")
        tail = read_lines(tmp_path, path, 999_990, 1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.total_lines == 1_000_000
    assert len(tail) == 11 and tail[-1] == line.decode().rstrip("\n")
    assert peak < 16 * 2**20  # a few 1 MiB chunks, never the 71 MB file


def test_text_of_reads_at_most_its_bound_even_if_the_file_grew_after_its_size_was_checked() -> None:
    import io

    from thrifty.read import files

    grown = io.BytesIO(b"\xef\xbb\xbfab\n" + b"x" * 100)
    assert files.text_of(grown, max_bytes=8) == "ab\nxx"
    assert files.TEXT_OF_MAX_BYTES >= 8 * 1024 * 1024  # the search reads files up to FULL_READ_BYTES whole
