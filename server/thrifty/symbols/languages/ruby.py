"""Ruby: block keywords counted against `end` (modifier `if`/`while`, `while ... do` and endless `def` open no
block); heredocs (`<<~ID`) and `%w[...]` literals blanked out with strings and comments."""

from __future__ import annotations

import re

from thrifty.symbols.lexing import DQ, SQ, Lines, Open, mask
from thrifty.symbols.symbol import Language, Symbol

_RUBY_LEX = re.compile(
    r"^=begin\b(?s:.*?)^=end\b[^\n]*|#[^\n]*|" + DQ + "|" + SQ + r"|%[wiqQ]?([\[({<])[^\n]*?[\])}>]", re.M)
_RUBY_HEREDOC = re.compile(r"<<[~-]?(['\"`]?)([A-Z_][A-Z0-9_]*)\1")
_RUBY_TOKEN = re.compile(
    r"(?<![\w.:$@])(?P<word>class|module|def|if|unless|while|until|case|begin|for|do|end)(?![\w?!]|:(?!:))")
_RUBY_DEF = re.compile(
    r"^[ \t]*+(?:(?P<kw>class|module)[ \t]+(?P<cname>[A-Z][\w:]*)|def[ \t]+(?:self\.)?"
    r"(?P<name>[A-Za-z_]\w*[?!=]?|\[\]=?|[+\-*/%<>=!~^&|]+))", re.M)
_RUBY_ENDLESS = re.compile(r"def[ \t]+(?:self\.)?[^\s(=]+(?:\([^)\n]*\))?[ \t]*=(?![=~])")
_RUBY_STATEMENT_START = re.compile(r"(?:^|[=(\[{,;|&!?:]|\b(?:return|then|else|do|and|or|not|in|when|begin))[ \t]*$")


def _ruby_mask(text: str) -> str:
    masked = mask(text, _RUBY_LEX)
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


def outline(text: str) -> list[Symbol]:
    masked = _ruby_mask(text)
    lines = Lines(masked)
    pairs = _ruby_pairs(masked)
    out: list[Symbol] = []
    open_syms: list[Open] = []
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
        open_syms.append(Open(symbol, end_offset, None, kind))
    return out


LANGUAGES = (Language("ruby", (".rb", ".rake", ".gemspec", ".ru"), outline),)
