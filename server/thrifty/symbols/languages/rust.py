"""Rust: functions, structs, enums, unions, traits, modules, `impl` blocks (owner of their methods), types
and macros; `#[...]` attributes belong to the item below."""

from __future__ import annotations

import re

from thrifty.symbols.braces import BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, CHAR
from thrifty.symbols.symbol import Language, Symbol

_RUST_VIS = r"(?:pub(?:[ \t]*\([^)\n]*\))?[ \t]+)?"
_RUST = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|b?r(#*)\"(?s:.*?)\"\1|b?\"(?:\\.|[^\"\\])*\"?|b?{CHAR}"),
    defs=(
        Def(rx(rf"^[ \t]*{_RUST_VIS}(?:(?:default|const|async|unsafe)[ \t]+)*(?:extern[ \t]+(?:\"[^\"\n]*\"[ \t]+)?)?"
               r"fn[ \t]+(?P<name>\w+)"), "function"),
        Def(rx(rf"^[ \t]*{_RUST_VIS}(?:unsafe[ \t]+)?(?P<kw>struct|enum|union|trait|mod)[ \t]+(?P<name>\w+)"), ""),
        Def(rx(r"^[ \t]*(?:unsafe[ \t]+)?impl\b(?:[ \t]*<[^\n{]*?>)?[ \t]+(?:[^\n{]*?[ \t]+for[ \t]+)?"
               r"(?:\w+::)*(?P<name>\w+)"), "impl"),
        Def(rx(rf"^[ \t]*{_RUST_VIS}type[ \t]+(?P<name>\w+)"), "type"),
        Def(rx(r"^[ \t]*(?:#\[macro_export\][ \t]*)?macro_rules![ \t]*(?P<name>\w+)"), "macro"),
    ),
    attribute=rx(r"^[ \t]*#!?\["),
)


def _outline(text: str) -> list[Symbol]:
    return outline_braces(text, _RUST)


LANGUAGES = (Language("rust", (".rs",), _outline),)
