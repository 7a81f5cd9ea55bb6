"""Context windows, their merging, and widening matches to the enclosing definition."""

from __future__ import annotations

import textwrap

from thrifty.search.windows import Window, around, merge, widen
from thrifty.symbols.api import enclosing, outline

SOURCE = textwrap.dedent(
    '''\
    import os

    TOP = 1


    class Config:
        """Settings."""

        def load(self, path):
            text = open(path).read()
            return text

        def save(self, path):
            pass


    def helper():
        return TOP
    '''
)


def _widen(lines: list[int], max_lines: int = 100, context: int = 1) -> list[Window]:
    symbols = outline(SOURCE, "config.py")
    total = SOURCE.count("\n")
    return widen([(n, 1) for n in lines], context, total, lambda line: enclosing(symbols, line), max_lines)


def test_overlapping_and_adjacent_windows_merge_but_separated_ones_do_not() -> None:
    windows = around([(5, 1), (8, 2), (12, 1), (13, 1), (30, 1)], context=1, total=40)
    assert [(w.start, w.end, w.hits) for w in windows] == [
        (4, 9, ((5, 1), (8, 2))),  # 4-6 and 7-9 touch
        (11, 14, ((12, 1), (13, 1))),  # 11-13 and 12-14 overlap; line 10 alone separates them from 4-9
        (29, 31, ((30, 1),)),
    ]


def test_windows_are_clipped_to_the_file() -> None:
    assert [(w.start, w.end) for w in around([(1, 1), (10, 1)], context=3, total=10)] == [(1, 4), (7, 10)]


def test_merge_joins_windows_that_touch() -> None:
    merged = merge([Window(1, 3, ((2, 1),)), Window(4, 6, ((5, 1),), ("f",)), Window(8, 9, ((8, 1),))])
    assert [(w.start, w.end, w.matches, w.labels) for w in merged] == [(1, 6, [2, 5], ("f",)), (8, 9, [8], ())]


def test_a_match_inside_a_method_widens_to_that_method_only() -> None:
    [window] = _widen([10])
    assert (window.start, window.end, window.labels) == (9, 11, ("method Config.load 9-11",))


def test_a_match_on_a_def_line_returns_the_definition_whole() -> None:
    [window] = _widen([17])
    assert (window.start, window.end) == (17, 18)


def test_a_match_on_a_class_line_returns_the_whole_class() -> None:
    [window] = _widen([6])
    assert (window.start, window.end) == (6, 14)


def test_a_match_outside_any_definition_keeps_its_line_window() -> None:
    [window] = _widen([3])
    assert (window.start, window.end, window.labels) == (2, 4, ())


def test_a_definition_over_the_limit_shows_its_first_line_and_the_match_windows() -> None:
    windows = _widen([13], max_lines=2)  # Config.save is 2 lines; its class is 9
    assert [(w.start, w.end) for w in windows] == [(13, 14)]
    windows = _widen([7], max_lines=2)  # the docstring line: only the class encloses it
    assert [(w.start, w.end) for w in windows] == [(6, 8)]
    assert "over 2" in windows[0].labels[0] and "match windows only" in windows[0].labels[0]


def test_two_matches_in_one_definition_give_one_window_counting_both() -> None:
    [window] = _widen([10, 11])
    assert (window.start, window.end, window.matches, window.occurrences) == (9, 11, [10, 11], 2)
