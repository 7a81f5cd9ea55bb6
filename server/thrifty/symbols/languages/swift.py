"""Swift: functions, initialisers, classes, structs, enums, protocols, extensions and actors."""

from __future__ import annotations

import re

from thrifty.symbols.braces import BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, DQ
from thrifty.symbols.symbol import Language, Symbol

_SWIFT_MODS = (r"(?:(?:@\w+(?:\([^)\n]*\))?|public|private|fileprivate|internal|open|static|class|final|override|"
               r"mutating|nonmutating|convenience|required|indirect|async|nonisolated|dynamic|lazy|weak|unowned)"
               r"[ \t]+)*")
_SWIFT = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|\"\"\"(?s:.*?)(?:\"\"\"|\Z)|{DQ}"),
    defs=(
        Def(rx(rf"^[ \t]*{_SWIFT_MODS}func[ \t]+(?P<name>[^\s(<]+)"), "function"),
        Def(rx(rf"^[ \t]*{_SWIFT_MODS}(?P<name>init|deinit)\b[?!]?"), "method", where="member"),
        Def(rx(rf"^[ \t]*{_SWIFT_MODS}(?P<kw>class|struct|enum|protocol|extension|actor)[ \t]+(?P<name>[\w.]+)"), ""),
    ),
    attribute=rx(r"^[ \t]*@\w+(?:\([^\n]*\))?[ \t]*$"),
)


def _outline(text: str) -> list[Symbol]:
    return outline_braces(text, _SWIFT)


LANGUAGES = (Language("swift", (".swift",), _outline),)
