"""Definitions in a source file (functions, classes, methods...) with their 1-based inclusive line ranges.

The one entry point for readers and search: `outline` picks the language by file suffix among the modules of
`thrifty.symbols.languages` (adding a language is adding a module there that defines `LANGUAGES`), then `find`,
`suggest` and `enclosing` work on the result whatever the language.
"""

from __future__ import annotations

import difflib
import importlib
import io
import pkgutil
from functools import cache
from pathlib import PurePath
from typing import BinaryIO, cast

from thrifty.symbols import languages
from thrifty.symbols.symbol import STREAM_ABOVE_CHARS, Language, Symbol

__all__ = ["Symbol", "enclosing", "find", "language_of", "outline", "outline_file", "suggest"]


@cache
def _by_suffix() -> dict[str, Language]:
    found: dict[str, Language] = {}
    for module in pkgutil.iter_modules(languages.__path__):
        declared: object = getattr(importlib.import_module(f"{languages.__name__}.{module.name}"), "LANGUAGES", None)
        if not isinstance(declared, tuple):
            raise TypeError(f"{languages.__name__}.{module.name} must define LANGUAGES, a tuple of Language")
        language: object
        for language in cast("tuple[object, ...]", declared):
            if not isinstance(language, Language):
                raise TypeError(f"{languages.__name__}.{module.name}.LANGUAGES holds {language!r}, not a Language")
            found.update(dict.fromkeys(language.suffixes, language))
    return found


def outline(text: str, path: str) -> list[Symbol]:
    """Definitions in `text`, sorted by start (outer before inner); the language is chosen by `path`'s suffix."""
    language = _by_suffix().get(PurePath(path).suffix.lower())
    if language is None:
        return []
    return sorted(language.outline(text), key=lambda s: (s.start, -s.end, s.qualname))


def outline_file(handle: BinaryIO, path: str, size: int) -> list[Symbol]:
    """Definitions of an open file (as `outline`); a large file of a language that can be scanned line by line is
    streamed, never held whole."""
    language = _by_suffix().get(PurePath(path).suffix.lower())
    if language is not None and language.outline_lines is not None and size > STREAM_ABOVE_CHARS:
        found = language.outline_lines(io.TextIOWrapper(handle, "utf-8-sig", errors="replace", newline=""))
        return sorted(found, key=lambda s: (s.start, -s.end, s.qualname))
    return outline(handle.read().decode("utf-8", "replace").removeprefix("\ufeff"), path)


def language_of(path: str) -> str | None:
    """The language name `outline` would use for `path`, or None when it knows no definitions there."""
    language = _by_suffix().get(PurePath(path).suffix.lower())
    return language.name if language else None


def find(symbols: list[Symbol], name: str) -> list[Symbol]:
    """Symbols named `name`: exact qualname matches, else `Outer.name` suffix matches, else plain-name matches."""
    name = name.strip().replace("::", ".")
    exact = [s for s in symbols if s.qualname == name]
    if exact:
        return exact
    if "." in name:
        return [s for s in symbols if s.qualname.endswith("." + name)]
    return [s for s in symbols if s.name == name]


def suggest(symbols: list[Symbol], name: str, limit: int = 5) -> list[str]:
    """Qualnames near `name`, best first: same name in another case, prefix, substring, then difflib similarity."""
    wanted = name.strip().replace("::", ".").lower()
    short = wanted.rsplit(".", 1)[-1]
    scored: dict[str, tuple[int, float, int]] = {}
    for q in dict.fromkeys(s.qualname for s in symbols):
        lower = q.lower()
        last = lower.rsplit(".", 1)[-1]
        ratio = max(difflib.SequenceMatcher(None, short, last).ratio(),
                    difflib.SequenceMatcher(None, wanted, lower).ratio())
        if last == short:
            rank = 0
        elif last.startswith(short):
            rank = 1
        elif short in last:
            rank = 2
        elif ratio >= 0.6:
            rank = 3
        elif wanted in lower:
            rank = 4
        else:
            continue
        scored[q] = (rank, -ratio, len(q))
    return sorted(scored, key=lambda q: scored[q])[:limit]


def enclosing(symbols: list[Symbol], line: int) -> Symbol | None:
    """The innermost definition whose range contains `line`."""
    best: Symbol | None = None
    for s in symbols:
        if s.start <= line <= s.end and (best is None or (s.start, -s.end) > (best.start, -best.end)):
            best = s
    return best
