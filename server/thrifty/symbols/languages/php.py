"""PHP: functions, methods, classes, interfaces, traits and enums; `#[...]` attributes belong to them."""

from __future__ import annotations

import re

from thrifty.symbols.braces import BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, DQ, SQ
from thrifty.symbols.symbol import Language, Symbol

_PHP = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|#(?!\[)[^\n]*|#\[[^\n]*|{DQ}|{SQ}"),
    defs=(
        Def(rx(r"^[ \t]*(?:(?:public|private|protected|static|final|abstract|readonly)[ \t]+)*function[ \t]+&?"
               r"(?P<name>\w+)"), "function"),
        Def(rx(r"^[ \t]*(?:(?:final|abstract|readonly)[ \t]+)*(?P<kw>class|interface|trait|enum)[ \t]+(?P<name>\w+)"),
           ""),
    ),
    attribute=rx(r"^[ \t]*#\["),
)


def _outline(text: str) -> list[Symbol]:
    return outline_braces(text, _PHP)


LANGUAGES = (Language("php", (".php",), _outline),)
