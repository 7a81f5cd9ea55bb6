"""Item syntax: whole files, line ranges, symbols, and odd names that exist as files."""

from __future__ import annotations

import pytest

from thrifty.errors import ToolError
from thrifty.read.items import Item, parse_item


def nothing_exists(_: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("src/a.py", Item("src/a.py", "src/a.py")),
        ("src/a.py:10-20", Item("src/a.py:10-20", "src/a.py", 10, 20)),
        ("src/a.py:10-", Item("src/a.py:10-", "src/a.py", 10, None)),
        ("src/a.py:7", Item("src/a.py:7", "src/a.py", 7, 7)),
        (" src/a.py : 3 - 4 ", Item(" src/a.py : 3 - 4 ", "src/a.py", 3, 4)),
        ("src/a.py#L5-L9", Item("src/a.py#L5-L9", "src/a.py", 5, 9)),
        ("src/a.py#Parser.parse", Item("src/a.py#Parser.parse", "src/a.py", symbol="Parser.parse")),
        ("lib.rs#Point::new", Item("lib.rs#Point::new", "lib.rs", symbol="Point::new")),
        ("C:\\work\\a.py", Item("C:\\work\\a.py", "C:\\work\\a.py")),
        ("a:b.py:1-2", Item("a:b.py:1-2", "a:b.py", 1, 2)),
    ],
)
def test_items_parse_into_a_path_and_an_optional_range_or_symbol(raw: str, expected: Item) -> None:
    assert parse_item(raw, nothing_exists) == expected


def test_a_name_with_colon_or_hash_that_exists_as_a_file_is_read_whole() -> None:
    existing = {"notes:10-20", "weird#name"}
    assert parse_item("notes:10-20", existing.__contains__) == Item("notes:10-20", "notes:10-20")
    assert parse_item("weird#name", existing.__contains__) == Item("weird#name", "weird#name")


@pytest.mark.parametrize(
    ("raw", "message"),
    [("a.py:9-3", r"START \(9\) is after END \(3\); write a.py:3-9"), ("a.py:0-3", "start at 1"), ("  ", "empty")],
)
def test_impossible_items_get_a_message_saying_how_to_fix_them(raw: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        parse_item(raw, nothing_exists)
