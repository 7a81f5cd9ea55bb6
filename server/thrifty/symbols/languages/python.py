"""Python: parsed with `ast` (functions, async functions, classes and methods at any depth, decorators included in
the span); a file that does not parse falls back to indentation: a definition ends at the next line indented at or
left of its `def`/`class`. A file over STREAM_ABOVE_CHARS is scanned with that indentation rule one line at a time
(`python_stream`), so its memory does not grow with the file."""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterable

from thrifty.symbols.lexing import DQ, HASH_COMMENT, SQ, Lines, mask
from thrifty.symbols.symbol import STREAM_ABOVE_CHARS, Language, Symbol


def outline(text: str) -> list[Symbol]:
    if len(text) > STREAM_ABOVE_CHARS:  # `ast` needs ~600 bytes of memory per byte of source
        return python_stream(io.StringIO(text))
    try:
        return _python_ast(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _python_indent(text)


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


_PY_LEX = re.compile(r"[rRbBuUfF]{0,2}(?:'''(?s:.*?)(?:'''|\Z)|\"\"\"(?s:.*?)(?:\"\"\"|\Z))|" + HASH_COMMENT + "|"
                     + DQ + "|" + SQ)
_PY_DEF = re.compile(r"^([ \t]*+)(?:async[ \t]+)?(def|class)[ \t]+(\w+)", re.M)


def _indent_width(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def _python_indent(text: str) -> list[Symbol]:
    spans: list[tuple[int, int]] = []
    masked = mask(text, _PY_LEX, spans)
    lines = Lines(masked)
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


_PY_SPECIAL = re.compile(r"['\"#()\[\]{}]")
_PY_TOKEN = re.compile(r"[rRbBuUfF]{0,2}(?:'''|\"\"\"|" + DQ + "|" + SQ + ")|#|[()\\[\\]{}]")


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


LANGUAGES = (Language("python", (".py", ".pyi", ".pyw"), outline, python_stream),)
