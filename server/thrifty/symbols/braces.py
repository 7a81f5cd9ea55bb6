"""The definition finder for brace languages, driven by one `BraceLanguage` table per language.

1. Strings and comments are blanked out by the language's `lexemes` regex, so braces, keywords and definition-like
   text inside them are ignored.
2. Definition lines are found by the language's `defs` regexes anchored at the start of a line (`function f`,
   `fn f`, `func (r *T) f`, `class C`, `public int f(`...). Patterns that only a type prefix distinguishes from a
   call (Java/C#/C/C++ methods, JS method shorthand) are accepted only at file level or directly in a class-like body.
3. The end: the first `{` after the name outside parentheses, matched (a `;` first means a body-less declaration,
   kept as one statement or dropped, per pattern).
4. Annotation/attribute lines just above a definition (`@Override`, `#[test]`, `[Fact]`) belong to it.
Nesting gives dotted qualnames (`Class.method`); Go receivers, C++ `Owner::name` and Rust `impl Type` blocks name the
owner too. Lines over MAX_DEFINITION_LINE_CHARS (minified code) never hold definitions. Known limits: a JS regex
literal after a name or `)` (read as division), preprocessor blocks with unbalanced braces, C++ brace initialisers
before a body, multi-line Kotlin expression bodies, and definitions split oddly across lines (GNU-style C with the
name on its own line is handled; a multi-line JS arrow parameter list is not).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from thrifty.symbols.lexing import Lines, Open, mask
from thrifty.symbols.symbol import Symbol

MAX_DEFINITION_LINE_CHARS = 400  # longer lines are never taken for definitions (minified code)


@dataclass(frozen=True)
class Def:
    regex: re.Pattern[str]  # needs a `name` group; optional `kw` (kind word) and `owner` groups
    kind: str  # used when there is no `kw` group
    where: str = "anywhere"  # "anywhere" | "top" (file level or directly in a container) | "member" (container only)
    body: str = "optional"  # "optional": a body-less statement is kept; "required": dropped
    skip_type_braces: bool = False  # Go: `interface{}` / `struct{}` in a signature is not the body


@dataclass(frozen=True)
class BraceLanguage:
    lexemes: re.Pattern[str]
    defs: tuple[Def, ...]
    containers: frozenset[str] = frozenset({"class", "struct", "interface", "trait", "impl", "module", "namespace",
                                            "object", "enum", "record", "extension", "protocol", "actor", "union"})
    attribute: re.Pattern[str] | None = None  # lines just above a definition that belong to it
    transparent: re.Pattern[str] | None = None  # blocks whose members count as file level (extern "C" {)
    continuation: re.Pattern[str] = re.compile(r"[ \t]*(?:[{.:=|&?]|->|throws\b|where\b|extends\b|implements\b)")
    keywords: frozenset[str] = frozenset()  # never a definition's name (if, for, while...)


CONTROL = frozenset({"if", "for", "while", "switch", "catch", "return", "else", "do", "case", "sizeof", "new", "throw",
                      "delete", "typeof", "await", "yield", "using", "lock", "foreach", "when", "with", "super", "this",
                      "defined", "elif", "try", "finally", "synchronized", "function", "match", "in", "is", "as", "not",
                      "typedef", "goto", "static_assert", "decltype", "alignof", "guard", "repeat", "fixed", "checked"})


def rx(pattern: str) -> re.Pattern[str]:
    """A definition pattern; its leading indentation is matched possessively, so a failing match never backtracks
    through a long run of blanks (masked strings are blanks too)."""
    return re.compile(pattern.replace("^[ \\t]*", "^[ \\t]*+"), re.M)


_NOT_CLASSES = frozenset({"namespace", "module"})  # functions in these are functions, not methods
_KIND_WORDS = {"@interface": "annotation", "mod": "module"}
_LONG_LINE = re.compile(rf"^[^\n]{{{MAX_DEFINITION_LINE_CHARS},}}", re.M)
_BLANK_LINE = re.compile(r"[ \t\r]*\n")
_MAX_HEADER_LINES = 30  # how far after a name the body's `{` may be


def _brace_pairs(masked: str) -> tuple[dict[int, int], list[tuple[int, str]]]:
    """Matching `{` -> `}` offsets (unclosed ones close at the end) and the brace events in order."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    events: list[tuple[int, str]] = []
    for m in re.finditer(r"[{}]", masked):
        pos, char = m.start(), m.group()
        events.append((pos, char))
        if char == "{":
            stack.append(pos)
        elif stack:
            pairs[stack.pop()] = pos
    for pos in stack:
        pairs[pos] = len(masked) - 1
    return pairs, events


def outline_braces(text: str, lang: BraceLanguage) -> list[Symbol]:
    masked = mask(text, lang.lexemes)
    lines = Lines(masked)
    pairs, events = _brace_pairs(masked)
    candidates = sorted(_candidates(masked, lang), key=lambda c: c[0].start())
    out: list[Symbol] = []
    open_syms: list[Open] = []
    brace_stack: list[int] = []
    event_index = 0
    for match, spec in candidates:
        offset = match.start()
        while event_index < len(events) and events[event_index][0] < offset:
            pos, char = events[event_index]
            if char == "{":
                brace_stack.append(pos)
            elif brace_stack:
                brace_stack.pop()
            event_index += 1
        while open_syms and open_syms[-1].end_offset < offset:
            open_syms.pop()
        parent = open_syms[-1] if open_syms else None
        if not _allowed_here(spec, match, lang, parent, brace_stack, text, lines):
            continue
        found = _body_end(masked, match.end("name"), spec, lang, pairs, lines)
        if found is None:
            continue
        end_offset, body_open = found
        symbol = _make_symbol(match, spec, lang, parent, lines, end_offset, text)
        out.append(symbol)
        open_syms.append(Open(symbol, end_offset, body_open, symbol.kind))
    return out


def _candidates(masked: str, lang: BraceLanguage) -> Iterator[tuple[re.Match[str], Def]]:
    """At most one definition match per line: the first pattern (in `lang.defs` order) that matches it wins."""
    # Minified lines hold no useful outline and would make the patterns backtrack for seconds: blank them.
    masked = _LONG_LINE.sub(lambda m: "\x01" * len(m.group()), masked)  # not blanks: `[ \t]*` would crawl them
    taken: set[int] = set()
    for spec in lang.defs:
        for m in spec.regex.finditer(masked):
            if m.start() in taken:
                continue
            name = m.group("name")
            if not name or name in lang.keywords:
                continue
            type_word = m.groupdict().get("type")
            if type_word and (type_word.split()[-1] in CONTROL or type_word.split()[0] in {"return", "else", "new"}):
                continue
            taken.add(m.start())
            yield m, spec


def _allowed_here(spec: Def, match: re.Match[str], lang: BraceLanguage, parent: Open | None, brace_stack: list[int],
                  text: str, lines: Lines) -> bool:
    if spec.where == "anywhere":
        return True
    in_container = (parent is not None and parent.kind in lang.containers and bool(brace_stack)
                    and parent.body_open == brace_stack[-1])
    if spec.where == "member":
        return in_container
    if not brace_stack or in_container:
        return True
    if lang.transparent is not None:
        line = lines.line_of(brace_stack[-1])
        start = lines.starts[line - 1]
        end = text.find("\n", start)
        return bool(lang.transparent.match(text[start:end if end >= 0 else len(text)]))
    return False


def _body_end(masked: str, pos: int, spec: Def, lang: BraceLanguage, pairs: dict[int, int],
              lines: Lines) -> tuple[int, int | None] | None:
    """(end offset, body `{` offset) of the definition whose name ends at `pos`; None when it must be dropped."""
    depth = 0
    limit_line = lines.line_of(pos) + _MAX_HEADER_LINES
    i = pos
    n = len(masked)
    while i < n:
        char = masked[i]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif depth == 0 and char == "{":
            if spec.skip_type_braces and re.search(r"\b(?:interface|struct)[ \t]*$", masked[max(i - 20, 0):i]):
                i = pairs.get(i, i) + 1
                continue
            return pairs.get(i, n - 1), i
        elif depth == 0 and char in ";}":
            return None if spec.body == "required" else (i if char == ";" else i - 1, None)
        elif char == "\n" and depth == 0:
            # Languages without `;` end a statement at the line end unless the next code line continues it.
            this_line = masked[masked.rfind("\n", 0, i) + 1:i].rstrip()
            next_start = i + 1
            while blank := _BLANK_LINE.match(masked, next_start):
                next_start = blank.end()
            continues = this_line.endswith((",", "(", "=", "=>", "->", ":", "|", "&", "+", "?", "<"))
            if not continues and not lang.continuation.match(masked, next_start):
                return None if spec.body == "required" else (i - 1, None)
            if lines.line_of(next_start) > limit_line:
                return None
            i = next_start
            continue
        i += 1
    return None


def _make_symbol(match: re.Match[str], spec: Def, lang: BraceLanguage, parent: Open | None, lines: Lines,
                 end_offset: int, text: str) -> Symbol:
    groups = match.groupdict()
    name = groups.get("name") or groups.get("rname") or ""
    kw = groups.get("kw") or ("record" if groups.get("rname") else None)
    kind = _KIND_WORDS.get(kw, kw) if kw else spec.kind
    owner = (groups.get("owner") or "").replace("::", ".").strip(".")
    owner = re.sub(r"<[^.]*>", "", owner)
    if "." in name and kind not in ("namespace", "module", "extension"):
        owner, name = (owner + "." if owner else "") + name.rsplit(".", 1)[0], name.rsplit(".", 1)[1]
    if kind == "function" and (owner or (parent is not None and parent.kind in lang.containers - _NOT_CLASSES)):
        kind = "method"
    parts = [p for p in ((parent.symbol.qualname if parent else ""), owner, name) if p]
    start_line = lines.line_of(match.start())
    start_line = _attributes_above(text, lines, start_line, lang.attribute)
    return Symbol(name, ".".join(parts), kind, start_line, max(lines.line_of(end_offset), start_line))


def _attributes_above(text: str, lines: Lines, line: int, attribute: re.Pattern[str] | None) -> int:
    """The first line of the annotation/attribute lines directly above `line` (or `line` itself)."""
    if attribute is None:
        return line
    while line > 1:
        start = lines.starts[line - 2]
        above = text[start:lines.starts[line - 1] - 1]
        if not attribute.match(above):
            break
        line -= 1
    return line
