"""One module per language family, each defining `LANGUAGES`: a tuple of `thrifty.symbols.symbol.Language`
(name, file suffixes, definition finder). `thrifty.symbols.api` finds them all; adding a language is adding a
module here (brace languages describe themselves with a `thrifty.symbols.braces.BraceLanguage` table)."""
