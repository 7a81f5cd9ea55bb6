"""C, C++, CUDA and Objective-C: classes, structs, unions, enums, namespaces and functions with a body
(`Owner::name` definitions named by their owner); preprocessor lines are blanked out."""

from __future__ import annotations

import re

from thrifty.symbols.braces import CONTROL, BraceLanguage, Def, outline_braces, rx
from thrifty.symbols.lexing import C_COMMENTS, CHAR, DQ
from thrifty.symbols.symbol import Language, Symbol

_CPP_OWNER = r"(?P<owner>(?:[A-Za-z_]\w*(?:<[^\n()]*?>)?::)+)?"
_CPP = BraceLanguage(
    lexemes=re.compile(rf"{C_COMMENTS}|R\"([^(\s]*)\((?s:.*?)\)\1\"|{DQ}|{CHAR}|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*",
                       re.M),
    defs=(
        Def(rx(r"^[ \t]*(?:template[ \t]*<[^\n]*>[ \t]*)?(?:typedef[ \t]+)?(?P<kw>class|struct|union|enum|namespace)"
               r"(?:[ \t]+(?:class|struct))?[ \t]+(?:[A-Z_][A-Z0-9_]*(?:\([^)\n]*\))?[ \t]+)*(?P<name>[A-Za-z_]\w*)"
               r"(?:[ \t]+final)?[ \t]*(?=[:{]|$|//|/\*)"), "", where="top", body="required"),
        # Functions: a return type, or nothing (GNU style puts the type on the previous line; constructors).
        Def(rx(rf"^[ \t]*(?:template[ \t]*<[^\n]*>[ \t]*)?(?P<type>(?:[\w:<>,~]++[ \t*&]++){{1,6}})?{_CPP_OWNER}"
               r"(?P<name>~?[A-Za-z_]\w*|operator[ \t]*(?:\(\)|[^\w\s(]{1,3}|[ \t]\w[\w:<> *&]*?))[ \t]*\("),
           "function", where="top", body="required"),
    ),
    transparent=rx(r"^[ \t]*extern[ \t]+\""),
    keywords=CONTROL,
)


def _outline(text: str) -> list[Symbol]:
    return outline_braces(text, _CPP)


SUFFIXES = (".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx", ".ipp", ".inl", ".cu", ".m", ".mm")
LANGUAGES = (Language("cpp", SUFFIXES, _outline),)
