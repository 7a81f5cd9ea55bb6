"""Definitions in source files (functions, classes, methods...) for `read_many`'s `path#Name` and outlines and for
`grep_and_read`'s symbol scope. `api` is the entry point; `languages` holds one module per language family."""
