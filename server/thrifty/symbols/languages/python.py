"""Python: parsed with `ast` (functions, async functions, classes and methods at any depth, decorators included in
the span); a file that does not parse falls back to indentation: a definition ends at the next line indented at or
left of its `def`/`class`."""

from __future__ import annotations

import ast
import re

from thrifty.symbols.lexing import DQ, HASH_COMMENT, SQ, Lines, mask
from thrifty.symbols.symbol import Language, Symbol


def outline(text: str) -> list[Symbol]:
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


LANGUAGES = (Language("python", (".py", ".pyi", ".pyw"), outline),)
