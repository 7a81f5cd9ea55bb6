"""JavaScript and TypeScript: functions, classes, interfaces, enums, types, arrow functions bound to a
name, and class members."""

from __future__ import annotations

import re

from thrifty.symbols.braces import CONTROL, BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, DQ, SQ
from thrifty.symbols.symbol import Language, Symbol

_JS_MODS = (r"(?:(?:export|default|declare|abstract|async|static|public|private|protected|readonly|override|get|set|"
            r"accessor)[ \t]+)*")
# A `/` right after an operator or `return` starts a regex literal (`/\/\//` must not open a comment); after a name
# or `)` it divides.
_JS_REGEX = (r"(?:(?<=[(,=:\[!&|?{};])|(?<=\breturn)|(?<=\btypeof))[ \t]*/(?![/*])"
             r"(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[a-z]*")
_JS_LEX = re.compile(rf"{_JS_REGEX}|{C_COMMENTS}|`(?:\\.|[^`\\])*`?|{DQ}|{SQ}")
_JS = BraceLanguage(
    lexemes=_JS_LEX,
    defs=(
        Def(rx(rf"^[ \t]*{_JS_MODS}function\b[ \t]*(?:\*[ \t]*)?(?P<name>[A-Za-z_$][\w$]*)"), "function"),
        Def(rx(rf"^[ \t]*{_JS_MODS}class[ \t]+(?P<name>[A-Za-z_$][\w$]*)"), "class"),
        Def(rx(rf"^[ \t]*{_JS_MODS}(?P<kw>interface|enum|namespace|module)[ \t]+(?P<name>[A-Za-z_$][\w$.]*)"), ""),
        Def(rx(rf"^[ \t]*{_JS_MODS}(?:const[ \t]+)?enum[ \t]+(?P<name>[A-Za-z_$][\w$]*)"), "enum"),
        Def(rx(rf"^[ \t]*{_JS_MODS}type[ \t]+(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?:<[^\n=]*>)?[ \t]*="), "type"),
        Def(rx(rf"^[ \t]*{_JS_MODS}(?:const|let|var)[ \t]+(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*"
               r"(?:async[ \t]*)?(?:function\b|(?:\([^\n]*?\)|[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+?)?=>)"),
           "function"),
        # Class members: `name(...) {` and `name = (...) => {`; only directly inside a class body.
        Def(rx(rf"^[ \t]*{_JS_MODS}(?:\*[ \t]*)?#?(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?:\?[ \t]*)?"
               r"(?:<[^\n(]*>[ \t]*)?\("),
           "method", where="member", body="required"),
        Def(rx(rf"^[ \t]*{_JS_MODS}#?(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*(?:async[ \t]*)?"
               r"(?:\([^\n]*?\)|[A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+?)?=>"), "method", where="member"),
    ),
    attribute=rx(r"^[ \t]*@[\w$.]+"),
    keywords=CONTROL,
)


def _outline(text: str) -> list[Symbol]:
    return outline_braces(text, _JS)


LANGUAGES = (Language("javascript", (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"), _outline),)
