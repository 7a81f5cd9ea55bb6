"""Reading matching files: whole when small, streamed up to the last needed line when large."""

from __future__ import annotations

from pathlib import Path

import pytest

from thrifty.search import filetext
from thrifty.search.filetext import read_file_text
from thrifty.textout import MAX_LINE_CHARS, clip_line


def test_lines_are_split_on_newlines_only_as_rg_numbers_them(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"one\x0ctwo\r\nthree\xe2\x80\xa8four\n\xff\n")
    text = read_file_text(tmp_path, path, last_needed=1)
    assert text.whole and text.total == 3
    assert [text.get(n) for n in (1, 2, 3)] == ["one\x0ctwo", "three\u2028four", "\ufffd"]


def test_a_large_file_is_streamed_only_up_to_the_last_needed_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(filetext, "FULL_READ_BYTES", 1000)
    path = tmp_path / "big.log"
    path.write_text("".join(f"row {i}\n" for i in range(1, 5001)), encoding="utf-8")
    text = read_file_text(tmp_path, path, last_needed=20)
    assert not text.whole and text.total is None
    assert text.get(20) == "row 20" and text.get(21) == ""


def test_a_streamed_file_read_to_its_end_knows_its_length(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(filetext, "FULL_READ_BYTES", 10)
    path = tmp_path / "short.txt"
    path.write_text("a\nb\nc\n", encoding="utf-8")
    assert read_file_text(tmp_path, path, last_needed=3).total == 3
    assert read_file_text(tmp_path, path, last_needed=10).total == 3


@pytest.mark.parametrize("newline", [b"\n", b""])
def test_a_huge_line_in_a_streamed_file_is_clipped_and_says_how_much(
    tmp_path: Path, monkeypatch, newline: bytes
) -> None:
    monkeypatch.setattr(filetext, "FULL_READ_BYTES", 1000)
    path = tmp_path / "min.js"
    path.write_bytes(b"x" * 3_000_000 + newline + b"tail\n")
    text = read_file_text(tmp_path, path, last_needed=2)
    first = text.get(1)
    line = "x" * 3_000_000 + ("" if newline else "tail")  # without a newline, "tail" ends the same line
    assert first.startswith("xxx") and first.endswith(f"… [{len(line) - MAX_LINE_CHARS} chars omitted]")
    assert first == text.shown(1) == clip_line(line)  # as if read whole, and not clipped again when shown
    assert text.get(2) == ("tail" if newline else "")
