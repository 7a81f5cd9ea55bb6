"""What the symbol finders produce (`Symbol`) and what each language module declares (`Language`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Symbol:
    name: str  # "method"
    qualname: str  # "Class.method" (dotted nesting)
    kind: str  # "function" | "class" | "method" | other short words for other languages
    start: int  # 1-based first line (decorators/annotations included)
    end: int  # 1-based last line, inclusive



@dataclass(frozen=True)
class Language:
    """One language a module of `thrifty.symbols.languages` knows: its name, file suffixes and definition finder."""

    name: str
    suffixes: tuple[str, ...]  # lower case, with the dot
    outline: Callable[[str], list[Symbol]]  # definitions in a file's text, in any order
    outline_lines: Callable[[Iterable[str]], list[Symbol]] | None = None  # the same from a stream of lines


STREAM_ABOVE_CHARS = 256 * 1024  # a larger file is outlined from a stream of lines where the language can
