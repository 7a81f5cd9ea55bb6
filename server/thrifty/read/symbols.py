"""Definitions in a source file (functions, classes, methods...) with their 1-based inclusive line ranges.

Python is parsed with `ast`: functions, async functions, classes and methods at any nesting depth, decorators included
in the span. A Python file that does not parse falls back to the indentation heuristic below.

Other languages use a heuristic chosen by file suffix (see `_LANGS`):
1. Strings and comments are blanked out (same length, newlines kept) by one regex per language, so braces, keywords
   and definition-like text inside them are ignored.
2. Definition lines are found by per-language regexes anchored at the start of a line (`function f`, `fn f`,
   `func (r *T) f`, `def f`, `class C`, `public int f(`...). Patterns that only a type prefix distinguishes from a
   call (Java/C#/C/C++ methods, JS method shorthand) are accepted only at file level or directly in a class-like body.
3. The end: brace languages take the first `{` after the name outside parentheses and match it (a `;` first means
   a body-less declaration, kept as one statement or dropped, per pattern); Ruby counts block keywords against
   `end`; Python's fallback ends a definition at the next line indented at or left of its `def`/`class`.
4. Annotation/attribute lines just above a definition (`@Override`, `#[test]`, `[Fact]`) belong to it.
Nesting gives dotted qualnames (`Class.method`); Go receivers, C++ `Owner::name` and Rust `impl Type` blocks name the
owner too. Lines over MAX_DEFINITION_LINE_CHARS (minified code) never hold definitions. Known limits: a JS regex
literal after a name or `)` (read as division), heredocs other than Ruby's `<<~ID`, preprocessor blocks with
unbalanced braces, C++ brace initialisers before a body, multi-line Kotlin expression bodies, and definitions split
oddly across lines (GNU-style C with the name on its own line is handled; a multi-line JS arrow parameter list is not).
"""

from __future__ import annotations

import ast
import bisect
import difflib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO


@dataclass(frozen=True)
class Symbol:
    name: str  # "method"
    qualname: str  # "Class.method" (dotted nesting)
    kind: str  # "function" | "class" | "method" | other short words for other languages
    start: int  # 1-based first line (decorators/annotations included)
    end: int  # 1-based last line, inclusive


def outline(text: str, path: str) -> list[Symbol]:
    """Definitions in `text`, sorted by start (outer before inner); the language is chosen by `path`'s suffix."""
    lang = language_of(path)
    if lang is None:
        return []
    if lang == "python" and len(text) > AST_MAX_CHARS:
        found = python_stream(io.StringIO(text))
    elif lang == "python":
        try:
            found = _python_ast(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            found = _python_indent(text)
    elif lang == "ruby":
        found = _ruby(text)
    else:
        found = _braces(text, _LANGS[lang])
    return _in_order(found)


def outline_file(handle: BinaryIO, path: str, size: int) -> list[Symbol]:
    """Definitions of an open file (as `outline`); a large Python file is scanned as a stream, never held whole."""
    if language_of(path) == "python" and size > AST_MAX_CHARS:
        return _in_order(python_stream(io.TextIOWrapper(handle, "utf-8-sig", errors="replace", newline="")))
    return outline(handle.read().decode("utf-8", "replace").removeprefix("\ufeff"), path)


def _in_order(found: list[Symbol]) -> list[Symbol]:
    return sorted(found, key=lambda s: (s.start, -s.end, s.qualname))


def language_of(path: str) -> str | None:
    """The language name `outline` would use for `path`, or None when it knows no definitions there."""
    return _SUFFIXES.get(PurePath(path).suffix.lower())


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


# --- Python: ast -----------------------------------------------------------------------------------------------------

_PY_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _python_ast(text: str) -> list[Symbol]:
    tree = ast.parse(text)
    out: list[Symbol] = []

    def visit(node: ast.AST, prefix: str, parent_kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _PY_DEFS):
                if isinstance(child, ast.ClassDef):
                    kind = "class"
                else:
                    kind = "method" if parent_kind == "class" else "function"
                qualname = f"{prefix}.{child.name}" if prefix else child.name
                start = min([d.lineno for d in child.decorator_list] + [child.lineno])
                out.append(Symbol(child.name, qualname, kind, start, child.end_lineno or child.lineno))
                visit(child, qualname, kind)
            elif isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
                # Definitions only live in statement bodies; skipping expressions keeps big files fast.
                visit(child, prefix, parent_kind)

    visit(tree, "", "")
    return out


# --- shared lexing ---------------------------------------------------------------------------------------------------

MAX_DEFINITION_LINE_CHARS = 400  # longer lines are never taken for definitions (minified code)
_NOT_NEWLINE = re.compile(r"[^\n]")
_C_COMMENTS = r"//[^\n]*|/\*(?s:.*?)(?:\*/|\Z)"
_DQ = r'"(?:\\.|[^"\\\n])*"?'  # unterminated strings stop at the line end
_SQ = r"'(?:\\.|[^'\\\n])*'?"
_CHAR = r"'(?:\\[^\n]{1,10}?|[^'\\\n])'"  # a char literal; a lone ' (Rust lifetime, Kotlin none) stays code
_HASH_COMMENT = r"#[^\n]*"


def _mask(text: str, lexemes: re.Pattern[str], multiline: list[tuple[int, int]] | None = None) -> str:
    """`text` with every string and comment replaced by spaces, same length, newlines kept.

    When `multiline` is given, the (start, end) offsets of lexemes spanning several lines are appended to it.
    """
    parts: list[str] = []
    last = 0
    for m in lexemes.finditer(text):
        start, end = m.span()
        if start == end:
            continue
        parts.append(text[last:start])
        token = m.group()
        parts.append(_NOT_NEWLINE.sub(" ", token))
        if multiline is not None and "\n" in token:
            multiline.append((start, end))
        last = end
    parts.append(text[last:])
    return "".join(parts)


class _Lines:
    """Offset <-> 1-based line number for one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def count(self) -> int:
        return len(self.starts)


# --- brace languages -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Def:
    regex: re.Pattern[str]  # needs a `name` group; optional `kw` (kind word) and `owner` groups
    kind: str  # used when there is no `kw` group
    where: str = "anywhere"  # "anywhere" | "top" (file level or directly in a container) | "member" (container only)
    body: str = "optional"  # "optional": a body-less statement is kept; "required": dropped
    skip_type_braces: bool = False  # Go: `interface{}` / `struct{}` in a signature is not the body


@dataclass(frozen=True)
class _Lang:
    lexemes: re.Pattern[str]
    defs: tuple[_Def, ...]
    containers: frozenset[str] = frozenset({"class", "struct", "interface", "trait", "impl", "module", "namespace",
                                            "object", "enum", "record", "extension", "protocol", "actor", "union"})
    attribute: re.Pattern[str] | None = None  # lines just above a definition that belong to it
    transparent: re.Pattern[str] | None = None  # blocks whose members count as file level (extern "C" {)
    continuation: re.Pattern[str] = re.compile(r"[ \t]*(?:[{.:=|&?]|->|throws\b|where\b|extends\b|implements\b)")
    keywords: frozenset[str] = frozenset()  # never a definition's name (if, for, while...)


_CONTROL = frozenset({"if", "for", "while", "switch", "catch", "return", "else", "do", "case", "sizeof", "new", "throw",
                      "delete", "typeof", "await", "yield", "using", "lock", "foreach", "when", "with", "super", "this",
                      "defined", "elif", "try", "finally", "synchronized", "function", "match", "in", "is", "as", "not",
                      "typedef", "goto", "static_assert", "decltype", "alignof", "guard", "repeat", "fixed", "checked"})


def _re(pattern: str) -> re.Pattern[str]:
    """A definition pattern; its leading indentation is matched possessively, so a failing match never backtracks
    through a long run of blanks (masked strings are blanks too)."""
    return re.compile(pattern.replace("^[ \\t]*", "^[ \\t]*+"), re.M)


_JS_MODS = (r"(?:(?:export|default|declare|abstract|async|static|public|private|protected|readonly|override|get|set|"
            r"accessor)[ \t]+)*")
# A `/` right after an operator or `return` starts a regex literal (`/\/\//` must not open a comment); after a name
# or `)` it divides.
_JS_REGEX = (r"(?:(?<=[(,=:\[!&|?{};])|(?<=\breturn)|(?<=\btypeof))[ \t]*/(?![/*])"
             r"(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[a-z]*")
_JS_LEX = re.compile(rf"{_JS_REGEX}|{_C_COMMENTS}|`(?:\\.|[^`\\])*`?|{_DQ}|{_SQ}")
_JS = _Lang(
    lexemes=_JS_LEX,
    defs=(
        _Def(_re(rf"^[ \t]*{_JS_MODS}function\b[ \t]*(?:\*[ \t]*)?(?P<name>[A-Za-z_$][\w$]*)"), "function"),
        _Def(_re(rf"^[ \t]*{_JS_MODS}class[ \t]+(?P<name>[A-Za-z_$][\w$]*)"), "class"),
        _Def(_re(rf"^[ \t]*{_JS_MODS}(?P<kw>interface|enum|namespace|module)[ \t]+(?P<name>[A-Za-z_$][\w$.]*)"), ""),
        _Def(_re(rf"^[ \t]*{_JS_MODS}(?:const[ \t]+)?enum[ \t]+(?P<name>[A-Za-z_$][\w$]*)"), "enum"),
        _Def(_re(rf"^[ \t]*{_JS_MODS}type[ \t]+(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?:<[^\n=]*>)?[ \t]*="), "type"),
        _Def(_re(rf"^[ \t]*{_JS_MODS}(?:const|let|var)[ \t]+(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*"
                 r"(?:async[ \t]*)?(?:function\b|(?:\([^\n]*?\)|[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+?)?=>)"),
             "function"),
        # Class members: `name(...) {` and `name = (...) => {`; only directly inside a class body.
        _Def(_re(rf"^[ \t]*{_JS_MODS}(?:\*[ \t]*)?#?(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?:\?[ \t]*)?"
                 r"(?:<[^\n(]*>[ \t]*)?\("),
             "method", where="member", body="required"),
        _Def(_re(rf"^[ \t]*{_JS_MODS}#?(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*(?:async[ \t]*)?"
                 r"(?:\([^\n]*?\)|[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+?)?=>"), "method", where="member"),
    ),
    attribute=_re(r"^[ \t]*@[\w$.]+"),
    keywords=_CONTROL,
)

_GO = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|`[^`]*`?|{_DQ}|{_CHAR}"),
    defs=(
        _Def(_re(r"^func[ \t]*\([ \t]*(?:\w+[ \t]+)?\*?[ \t]*(?P<owner>\w+)(?:\[[^\]\n]*\])?[ \t]*\)[ \t]*"
                 r"(?P<name>\w+)"), "method", skip_type_braces=True),
        _Def(_re(r"^func[ \t]+(?P<name>\w+)"), "function", skip_type_braces=True),
        _Def(_re(r"^type[ \t]+(?P<name>\w+)(?:\[[^\n]*?\])?[ \t]+(?P<kw>struct|interface)\b"), ""),
        _Def(_re(r"^type[ \t]+(?P<name>\w+)\b"), "type"),
    ),
)

_RUST_VIS = r"(?:pub(?:[ \t]*\([^)\n]*\))?[ \t]+)?"
_RUST = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|b?r(#*)\"(?s:.*?)\"\1|b?\"(?:\\.|[^\"\\])*\"?|b?{_CHAR}"),
    defs=(
        _Def(_re(rf"^[ \t]*{_RUST_VIS}(?:(?:default|const|async|unsafe)[ \t]+)*(?:extern[ \t]+(?:\"[^\"\n]*\"[ \t]+)?)?"
                 r"fn[ \t]+(?P<name>\w+)"), "function"),
        _Def(_re(rf"^[ \t]*{_RUST_VIS}(?:unsafe[ \t]+)?(?P<kw>struct|enum|union|trait|mod)[ \t]+(?P<name>\w+)"), ""),
        _Def(_re(r"^[ \t]*(?:unsafe[ \t]+)?impl\b(?:[ \t]*<[^\n{]*?>)?[ \t]+(?:[^\n{]*?[ \t]+for[ \t]+)?"
                 r"(?:\w+::)*(?P<name>\w+)"), "impl"),
        _Def(_re(rf"^[ \t]*{_RUST_VIS}type[ \t]+(?P<name>\w+)"), "type"),
        _Def(_re(r"^[ \t]*(?:#\[macro_export\][ \t]*)?macro_rules![ \t]*(?P<name>\w+)"), "macro"),
    ),
    attribute=_re(r"^[ \t]*#!?\["),
)

_JAVA_MODS = (r"(?:(?:public|private|protected|internal|static|final|abstract|synchronized|native|default|"
              r"strictfp|transient|sealed|non-sealed|virtual|override|async|extern|unsafe|new|partial|readonly|"
              r"file|ref)[ \t]+)*")
_TYPE = r"[\w$.?]+(?:[ \t]*<[^\n(;=]*>)?(?:[ \t]*\[[ \t,]*\])*\??"
_JAVA_LIKE_TYPES = (r"(?P<kw>class|interface|enum|record|@interface|struct|namespace)[ \t]+(?P<name>[\w$.]+)")
_JAVA_METHOD = _Def(_re(rf"^[ \t]*{_JAVA_MODS}(?:<[^\n(]*?>[ \t]+)?(?:(?P<type>{_TYPE})[ \t]+)?"
                        r"(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?:<[^\n(]*?>)?[ \t]*\("), "method", where="member")
_JAVA = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|\"\"\"(?s:.*?)(?:\"\"\"|\Z)|{_DQ}|{_CHAR}"),
    defs=(_Def(_re(rf"^[ \t]*{_JAVA_MODS}{_JAVA_LIKE_TYPES}"), ""), _JAVA_METHOD),
    attribute=_re(r"^[ \t]*@(?!interface\b)[\w.]+"),
    keywords=_CONTROL,
)
_CSHARP = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|@\"(?:\"\"|[^\"])*\"?|\$?\"\"\"(?s:.*?)(?:\"\"\"|\Z)|\$?{_DQ}|{_CHAR}|"
                       r"^[ \t]*#[^\n]*", re.M),
    defs=(_Def(_re(rf"^[ \t]*(?:\[[^\n]*\][ \t]*)?{_JAVA_MODS}(?:record[ \t]+(?:struct|class)[ \t]+(?P<rname>\w+)|"
                   rf"{_JAVA_LIKE_TYPES})"), ""),
          _JAVA_METHOD),
    attribute=_re(r"^[ \t]*\[[A-Za-z_]"),
    keywords=_CONTROL,
)

_CPP_OWNER = r"(?P<owner>(?:[A-Za-z_]\w*(?:<[^\n()]*?>)?::)+)?"
_CPP = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|R\"([^(\s]*)\((?s:.*?)\)\1\"|{_DQ}|{_CHAR}|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*",
                       re.M),
    defs=(
        _Def(_re(r"^[ \t]*(?:template[ \t]*<[^\n]*>[ \t]*)?(?:typedef[ \t]+)?(?P<kw>class|struct|union|enum|namespace)"
                 r"(?:[ \t]+(?:class|struct))?[ \t]+(?:[A-Z_][A-Z0-9_]*(?:\([^)\n]*\))?[ \t]+)*(?P<name>[A-Za-z_]\w*)"
                 r"(?:[ \t]+final)?[ \t]*(?=[:{]|$|//|/\*)"), "", where="top", body="required"),
        # Functions: a return type, or nothing (GNU style puts the type on the previous line; constructors).
        _Def(_re(rf"^[ \t]*(?:template[ \t]*<[^\n]*>[ \t]*)?(?P<type>(?:[\w:<>,~]++[ \t*&]++){{1,6}})?{_CPP_OWNER}"
                 r"(?P<name>~?[A-Za-z_]\w*|operator[ \t]*(?:\(\)|[^\w\s(]{1,3}|[ \t]\w[\w:<> *&]*?))[ \t]*\("),
             "function", where="top", body="required"),
    ),
    transparent=_re(r"^[ \t]*extern[ \t]+\""),
    keywords=_CONTROL,
)

_PHP = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|#(?!\[)[^\n]*|#\[[^\n]*|{_DQ}|{_SQ}"),
    defs=(
        _Def(_re(r"^[ \t]*(?:(?:public|private|protected|static|final|abstract|readonly)[ \t]+)*function[ \t]+&?"
                 r"(?P<name>\w+)"), "function"),
        _Def(_re(r"^[ \t]*(?:(?:final|abstract|readonly)[ \t]+)*(?P<kw>class|interface|trait|enum)[ \t]+(?P<name>\w+)"),
             ""),
    ),
    attribute=_re(r"^[ \t]*#\["),
)

_KOTLIN_MODS = (r"(?:(?:public|private|protected|internal|open|override|abstract|final|suspend|inline|operator|infix|"
                r"tailrec|external|actual|expect|data|sealed|enum|annotation|inner|value|companion|const|lateinit|"
                r"fun)[ \t]+)*")
_KOTLIN = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|\"\"\"(?s:.*?)(?:\"\"\"|\Z)|{_DQ}|{_CHAR}"),
    defs=(
        _Def(_re(rf"^[ \t]*{_KOTLIN_MODS}fun[ \t]+(?:<[^>\n]*>[ \t]*)?(?:(?P<owner>[\w.]+(?:<[^>\n]*>)?)\.)?"
                 r"(?P<name>\w+|`[^`\n]+`)"), "function"),
        _Def(_re(rf"^[ \t]*{_KOTLIN_MODS}(?P<kw>class|interface|object)[ \t]+(?P<name>\w+)"), ""),
    ),
    attribute=_re(r"^[ \t]*@[\w.]+"),
)

_SWIFT_MODS = (r"(?:(?:@\w+(?:\([^)\n]*\))?|public|private|fileprivate|internal|open|static|class|final|override|"
               r"mutating|nonmutating|convenience|required|indirect|async|nonisolated|dynamic|lazy|weak|unowned)"
               r"[ \t]+)*")
_SWIFT = _Lang(
    lexemes=re.compile(rf"{_C_COMMENTS}|\"\"\"(?s:.*?)(?:\"\"\"|\Z)|{_DQ}"),
    defs=(
        _Def(_re(rf"^[ \t]*{_SWIFT_MODS}func[ \t]+(?P<name>[^\s(<]+)"), "function"),
        _Def(_re(rf"^[ \t]*{_SWIFT_MODS}(?P<name>init|deinit)\b[?!]?"), "method", where="member"),
        _Def(_re(rf"^[ \t]*{_SWIFT_MODS}(?P<kw>class|struct|enum|protocol|extension|actor)[ \t]+(?P<name>[\w.]+)"), ""),
    ),
    attribute=_re(r"^[ \t]*@\w+(?:\([^\n]*\))?[ \t]*$"),
)

_LANGS: dict[str, _Lang] = {
    "javascript": _JS, "go": _GO, "rust": _RUST, "java": _JAVA, "csharp": _CSHARP, "cpp": _CPP, "php": _PHP,
    "kotlin": _KOTLIN, "swift": _SWIFT,
}
_SUFFIXES = {
    **dict.fromkeys([".py", ".pyi", ".pyw"], "python"),
    **dict.fromkeys([".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"], "javascript"),
    ".go": "go", ".rs": "rust", ".java": "java", ".cs": "csharp", ".php": "php", ".swift": "swift",
    **dict.fromkeys([".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx", ".ipp", ".inl", ".cu", ".m", ".mm"],
                    "cpp"),
    **dict.fromkeys([".kt", ".kts"], "kotlin"),
    **dict.fromkeys([".rb", ".rake", ".gemspec", ".ru"], "ruby"),
}
_NOT_CLASSES = frozenset({"namespace", "module"})  # functions in these are functions, not methods
_KIND_WORDS = {"@interface": "annotation", "mod": "module"}
_LONG_LINE = re.compile(rf"^[^\n]{{{MAX_DEFINITION_LINE_CHARS},}}", re.M)
_BLANK_LINE = re.compile(r"[ \t\r]*\n")
_MAX_HEADER_LINES = 30  # how far after a name the body's `{` may be


@dataclass
class _Open:
    symbol: Symbol
    end_offset: int
    body_open: int | None  # offset of the body's `{`, None for body-less definitions
    kind: str


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


def _braces(text: str, lang: _Lang) -> list[Symbol]:
    masked = _mask(text, lang.lexemes)
    lines = _Lines(masked)
    pairs, events = _brace_pairs(masked)
    candidates = sorted(_candidates(masked, lang), key=lambda c: c[0].start())
    out: list[Symbol] = []
    open_syms: list[_Open] = []
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
        open_syms.append(_Open(symbol, end_offset, body_open, symbol.kind))
    return out


def _candidates(masked: str, lang: _Lang) -> Iterator[tuple[re.Match[str], _Def]]:
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
            if type_word and (type_word.split()[-1] in _CONTROL or type_word.split()[0] in {"return", "else", "new"}):
                continue
            taken.add(m.start())
            yield m, spec


def _allowed_here(spec: _Def, match: re.Match[str], lang: _Lang, parent: _Open | None, brace_stack: list[int],
                  text: str, lines: _Lines) -> bool:
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


def _body_end(masked: str, pos: int, spec: _Def, lang: _Lang, pairs: dict[int, int],
              lines: _Lines) -> tuple[int, int | None] | None:
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


def _make_symbol(match: re.Match[str], spec: _Def, lang: _Lang, parent: _Open | None, lines: _Lines,
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


def _attributes_above(text: str, lines: _Lines, line: int, attribute: re.Pattern[str] | None) -> int:
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


# --- Ruby: keywords against `end` ------------------------------------------------------------------------------------

_RUBY_LEX = re.compile(
    r"^=begin\b(?s:.*?)^=end\b[^\n]*|#[^\n]*|" + _DQ + "|" + _SQ + r"|%[wiqQ]?([\[({<])[^\n]*?[\])}>]", re.M)
_RUBY_HEREDOC = re.compile(r"<<[~-]?(['\"`]?)([A-Z_][A-Z0-9_]*)\1")
_RUBY_TOKEN = re.compile(
    r"(?<![\w.:$@])(?P<word>class|module|def|if|unless|while|until|case|begin|for|do|end)(?![\w?!]|:(?!:))")
_RUBY_DEF = re.compile(
    r"^[ \t]*+(?:(?P<kw>class|module)[ \t]+(?P<cname>[A-Z][\w:]*)|def[ \t]+(?:self\.)?"
    r"(?P<name>[A-Za-z_]\w*[?!=]?|\[\]=?|[+\-*/%<>=!~^&|]+))", re.M)
_RUBY_ENDLESS = re.compile(r"def[ \t]+(?:self\.)?[^\s(=]+(?:\([^)\n]*\))?[ \t]*=(?![=~])")
_RUBY_STATEMENT_START = re.compile(r"(?:^|[=(\[{,;|&!?:]|\b(?:return|then|else|do|and|or|not|in|when|begin))[ \t]*$")


def _ruby_mask(text: str) -> str:
    masked = _mask(text, _RUBY_LEX)
    out = masked.split("\n")
    i = 0
    while i < len(out):
        m = _RUBY_HEREDOC.search(out[i])
        i += 1
        if m and not re.search(r"\w[ \t]*<<\w", out[i - 1][max(m.start() - 2, 0):m.end()]):
            terminator = re.compile(rf"^[ \t]*{m.group(2)}[ \t]*$")
            while i < len(out) and not terminator.match(out[i]):
                out[i] = " " * len(out[i])
                i += 1
    return "\n".join(out)


def _ruby_pairs(masked: str) -> dict[int, int]:
    """Offset of each block keyword -> offset of its `end`."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    loop_line = -1
    for m in _RUBY_TOKEN.finditer(masked):
        word, pos = m.group("word"), m.start()
        line_start = masked.rfind("\n", 0, pos) + 1
        before = masked[line_start:pos]
        if word == "end":
            if stack:
                pairs[stack.pop()] = pos
            continue
        if word in ("if", "unless", "while", "until") and not _RUBY_STATEMENT_START.search(before):
            continue  # modifier form: `x if y`
        if word == "do" and loop_line == line_start:
            continue  # `while x do`: one block, one `end`
        if word == "def" and _RUBY_ENDLESS.match(masked, pos):
            continue
        if word in ("while", "until", "for"):
            loop_line = line_start
        stack.append(pos)
    for pos in stack:
        pairs[pos] = len(masked) - 1
    return pairs


def _ruby(text: str) -> list[Symbol]:
    masked = _ruby_mask(text)
    lines = _Lines(masked)
    pairs = _ruby_pairs(masked)
    out: list[Symbol] = []
    open_syms: list[_Open] = []
    for m in _RUBY_DEF.finditer(masked):
        keyword_at = m.start("kw") if m.group("kw") else masked.index("def", m.start())
        end_offset = pairs.get(keyword_at, keyword_at)
        while open_syms and open_syms[-1].end_offset < m.start():
            open_syms.pop()
        parent = open_syms[-1] if open_syms else None
        if m.group("kw"):
            kind, owner_path = m.group("kw"), m.group("cname").split("::")
            name, owner = owner_path[-1], ".".join(owner_path[:-1])
        else:
            name, owner = m.group("name"), ""
            kind = "method" if parent is not None and parent.kind in ("class", "module") else "function"
        parts = [p for p in ((parent.symbol.qualname if parent else ""), owner, name) if p]
        start = lines.line_of(m.start())
        symbol = Symbol(name, ".".join(parts), kind, start, max(lines.line_of(end_offset), start))
        out.append(symbol)
        open_syms.append(_Open(symbol, end_offset, None, kind))
    return out


# --- indentation (Python that does not parse) ------------------------------------------------------------------------

_PY_LEX = re.compile(r"[rRbBuUfF]{0,2}(?:'''(?s:.*?)(?:'''|\Z)|\"\"\"(?s:.*?)(?:\"\"\"|\Z))|" + _HASH_COMMENT + "|"
                     + _DQ + "|" + _SQ)
_PY_DEF = re.compile(r"^([ \t]*+)(?:async[ \t]+)?(def|class)[ \t]+(\w+)", re.M)


def _indent_width(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def _python_indent(text: str) -> list[Symbol]:
    spans: list[tuple[int, int]] = []
    masked = _mask(text, _PY_LEX, spans)
    lines = _Lines(masked)
    code = masked.split("\n")
    raw = text.split("\n")
    inside = {line for start, end in spans for line in range(lines.line_of(start), lines.line_of(end - 1))}
    out: list[Symbol] = []
    stack: list[tuple[int, Symbol]] = []  # (indent, symbol) of open definitions
    for m in _PY_DEF.finditer(masked):
        line = lines.line_of(m.start()) - 1  # 0-based
        indent = _indent_width(m.group(1))
        while stack and (stack[-1][0] >= indent or stack[-1][1].end < line + 1):
            stack.pop()
        parent = stack[-1][1] if stack else None
        kind = "class" if m.group(2) == "class" else ("method" if parent and parent.kind == "class" else "function")
        end = _python_block_end(code, raw, inside, line, indent)
        name = m.group(3)
        start = _python_decorators_above(code, line, indent)
        symbol = Symbol(name, f"{parent.qualname}.{name}" if parent else name, kind, start + 1, end + 1)
        out.append(symbol)
        stack.append((indent, symbol))
    return out


def _python_decorators_above(code: list[str], line: int, indent: int) -> int:
    """0-based first line of the decorators above the `def`/`class` at `line` (multi-line decorators included)."""
    start = line
    for k in range(line - 1, -1, -1):  # stops at the previous statement at or left of `indent`
        stripped = code[k].strip()
        if not stripped:
            continue
        width = _indent_width(code[k])
        if width == indent and stripped.startswith("@"):
            start = k
        elif width <= indent and not stripped.startswith((")", "]", "}")):
            break
    return start


def _python_block_end(code: list[str], raw: list[str], inside: set[int], line: int, indent: int) -> int:
    """0-based last line of the block whose header starts at `line`."""
    depth = 0
    i = line
    while i < len(code):  # the header may span lines: `def f(\n a,\n):`
        depth += sum(code[i].count(c) for c in "([{") - sum(code[i].count(c) for c in ")]}")
        if depth <= 0 or code[i].rstrip().endswith(":"):
            break
        i += 1
    last = i
    for j in range(i + 1, len(code)):
        if j in inside:  # continues a multi-line string: part of the body whatever its indentation
            if raw[j].strip():
                last = j
        elif code[j].strip() or (raw[j].strip() and not raw[j].lstrip().startswith("#")):  # code or a string
            if _indent_width(raw[j]) <= indent:
                break
            last = j
    return min(last, len(code) - 1)


AST_MAX_CHARS = 256 * 1024  # `ast` needs ~600 bytes of memory per byte of source: larger files are scanned as a stream
_PY_SPECIAL = re.compile(r"['\"#()\[\]{}]")
_PY_TOKEN = re.compile(r"[rRbBuUfF]{0,2}(?:'''|\"\"\"|" + _DQ + "|" + _SQ + ")|#|[()\\[\\]{}]")


class _OpenDef:
    __slots__ = ("indent", "name", "qualname", "kind", "start", "last")

    def __init__(self, indent: int, name: str, qualname: str, kind: str, start: int) -> None:
        self.indent, self.name, self.qualname, self.kind, self.start, self.last = (
            indent, name, qualname, kind, start, start)


def python_stream(lines: Iterable[str]) -> list[Symbol]:
    """The indentation heuristic of `_python_indent`, one line at a time: memory holds the open definitions and the
    symbols found, never the file or a list of its lines (a 4 MB file of a million statements stays near 20 MB)."""
    out: list[Symbol] = []
    stack: list[_OpenDef] = []
    quote = ""  # the delimiter of a triple-quoted string still open at the line start
    depth = 0  # brackets still open at the line start
    decorated = 0  # 1-based line of the first decorator above the next definition, 0 when none is pending

    def close(indent: int) -> None:
        while stack and stack[-1].indent >= indent:
            d = stack.pop()
            out.append(Symbol(d.name, d.qualname, d.kind, d.start, d.last))

    special = _PY_SPECIAL.search
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        continued = bool(quote) or depth > 0
        if continued or special(line):
            code, quote, depth = _scan_line(line, quote, depth)
        else:
            code = line  # most lines: no string, comment or bracket to blank out
        if continued:  # the rest of a string or of a bracketed expression: body, whatever its indentation
            if stack and line.strip():
                for d in stack:
                    d.last = number
            continue
        stripped = code.lstrip()
        if not stripped.rstrip() and (not line.strip() or line.lstrip().startswith("#")):
            continue  # blank or comment only: neither ends nor extends a definition
        if stack:
            lead = line[: len(line) - len(line.lstrip())]
            close(_indent_width(lead) if "\t" in lead else len(lead))
            for d in stack:
                d.last = number
        first = stripped[:1]
        if first == "@":
            decorated = decorated or number
            continue
        match = _PY_DEF.match(code) if first in "dca" else None
        if match:
            indent = _indent_width(match.group(1))
            parent = stack[-1] if stack else None
            kind = "class" if match.group(2) == "class" else ("method" if parent and parent.kind == "class"
                                                              else "function")
            name = match.group(3)
            stack.append(_OpenDef(indent, name, f"{parent.qualname}.{name}" if parent else name, kind,
                                  decorated or number))
            stack[-1].last = number
        decorated = 0
    close(-1)
    return out


def _scan_line(line: str, quote: str, depth: int) -> tuple[str, str, int]:
    """The line's code with strings and comments blanked, the triple quote left open, the bracket depth after it."""
    pos = 0
    code: list[str] = []
    if quote:
        end = line.find(quote)
        if end < 0:
            return "", quote, depth
        pos = end + 3
        code.append(" " * pos)
        quote = ""
    while True:
        m = _PY_TOKEN.search(line, pos)
        if m is None:
            code.append(line[pos:])
            return "".join(code), quote, max(depth, 0)
        code.append(line[pos:m.start()])
        token = m.group()
        if token == "#":
            return "".join(code), quote, max(depth, 0)
        if token in "([{":
            depth += 1
        elif token in ")]}":
            depth -= 1
        elif token.endswith(("'''", '"""')) and len(token.lstrip("rRbBuUfF")) == 3:
            delimiter = token[-3:]
            end = line.find(delimiter, m.end())
            if end < 0:
                return "".join(code), delimiter, max(depth, 0)
            code.append(" " * (end + 3 - m.start()))
            pos = end + 3
            continue
        code.append(token if token in "()[]{}" else " " * len(token))
        pos = m.end()
