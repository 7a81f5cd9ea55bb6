"""Go: functions, methods with their receiver type as owner, struct, interface and other types."""

from __future__ import annotations

import re

from thrifty.symbols.braces import BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, CHAR, DQ
from thrifty.symbols.symbol import Language, Symbol

_GO = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|`[^`]*`?|{DQ}|{CHAR}"),
    defs=(
        Def(rx(r"^func[ \t]*\([ \t]*(?:\w+[ \t]+)?\*?[ \t]*(?P<owner>\w+)(?:\[[^\]\n]*\])?[ \t]*\)[ \t]*"
               r"(?P<name>\w+)"), "method", skip_type_braces=True),
        Def(rx(r"^func[ \t]+(?P<name>\w+)"), "function", skip_type_braces=True),
        Def(rx(r"^type[ \t]+(?P<name>\w+)(?:\[[^\n]*?\])?[ \t]+(?P<kw>struct|interface)\b"), ""),
        Def(rx(r"^type[ \t]+(?P<name>\w+)\b"), "type"),
    ),
)


def _outline(text: str) -> list[Symbol]:
    return outline_braces(text, _GO)


LANGUAGES = (Language("go", (".go",), _outline),)
