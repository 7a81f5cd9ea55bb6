"""Java and C#: types (class, interface, enum, record, struct, namespace) and methods inside them;
annotations and attributes belong to the definition below."""

from __future__ import annotations

import re

from thrifty.symbols.braces import CONTROL, BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, CHAR, DQ
from thrifty.symbols.symbol import Language, Symbol

_JAVA_MODS = (r"(?:(?:public|private|protected|internal|static|final|abstract|synchronized|native|default|"
              r"strictfp|transient|sealed|non-sealed|virtual|override|async|extern|unsafe|new|partial|readonly|"
              r"file|ref)[ \t]+)*")
_TYPE = r"[\w$.?]+(?:[ \t]*<[^\n(;=]*>)?(?:[ \t]*\[[ \t,]*\])*\??"
_JAVA_LIKE_TYPES = (r"(?P<kw>class|interface|enum|record|@interface|struct|namespace)[ \t]+(?P<name>[\w$.]+)")
_JAVA_METHOD = Def(rx(rf"^[ \t]*{_JAVA_MODS}(?:<[^\n(]*?>[ \t]+)?(?:(?P<type>{_TYPE})[ \t]+)?"
                      r"(?P<name>[A-Za-z_$][\w$]*)[ \t]*(?:<[^\n(]*?>)?[ \t]*\("), "method", where="member")
_JAVA = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|\"\"\"(?s:.*?)(?:\"\"\"|\Z)|{DQ}|{CHAR}"),
    defs=(Def(rx(rf"^[ \t]*{_JAVA_MODS}{_JAVA_LIKE_TYPES}"), ""), _JAVA_METHOD),
    attribute=rx(r"^[ \t]*@(?!interface\b)[\w.]+"),
    keywords=CONTROL,
)
_CSHARP = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|@\"(?:\"\"|[^\"])*\"?|\$?\"\"\"(?s:.*?)(?:\"\"\"|\Z)|\$?{DQ}|{CHAR}|"
                       r"^[ \t]*#[^\n]*", re.M),
    defs=(Def(rx(rf"^[ \t]*(?:\[[^\n]*\][ \t]*)?{_JAVA_MODS}(?:record[ \t]+(?:struct|class)[ \t]+(?P<rname>\w+)|"
                 rf"{_JAVA_LIKE_TYPES})"), ""),
          _JAVA_METHOD),
    attribute=rx(r"^[ \t]*\[[A-Za-z_]"),
    keywords=CONTROL,
)


def _outline_java(text: str) -> list[Symbol]:
    return outline_braces(text, _JAVA)


def _outline_csharp(text: str) -> list[Symbol]:
    return outline_braces(text, _CSHARP)


LANGUAGES = (Language("java", (".java",), _outline_java), Language("csharp", (".cs",), _outline_csharp))
