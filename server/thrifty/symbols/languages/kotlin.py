"""Kotlin: functions (extension functions named by their receiver), classes, interfaces and objects."""

from __future__ import annotations

import re

from thrifty.symbols.braces import BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, CHAR, DQ
from thrifty.symbols.symbol import Language, Symbol

_KOTLIN_MODS = (r"(?:(?:public|private|protected|internal|open|override|abstract|final|suspend|inline|operator|infix|"
                r"tailrec|external|actual|expect|data|sealed|enum|annotation|inner|value|companion|const|lateinit|"
                r"fun)[ \t]+)*")
_KOTLIN = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|\"\"\"(?s:.*?)(?:\"\"\"|\Z)|{DQ}|{CHAR}"),
    defs=(
        Def(rx(rf"^[ \t]*{_KOTLIN_MODS}fun[ \t]+(?:<[^>\n]*>[ \t]*)?(?:(?P<owner>[\w.]+(?:<[^>\n]*>)?)\.)?"
               r"(?P<name>\w+|`[^`\n]+`)"), "function"),
        Def(rx(rf"^[ \t]*{_KOTLIN_MODS}(?P<kw>class|interface|object)[ \t]+(?P<name>\w+)"), ""),
    ),
    attribute=rx(r"^[ \t]*@[\w.]+"),
)


def _outline(text: str) -> list[Symbol]:
    return outline_braces(text, _KOTLIN)


LANGUAGES = (Language("kotlin", (".kt", ".kts"), _outline),)
