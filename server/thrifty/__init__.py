"""thrifty: cheap-by-construction Claude Code runs, and where every token went.

Kept import-free: hooks import `thrifty.hooks` on every turn and must not pay for anything here.
"""

__version__ = "0.1.0"
