"""Names near a missing one, for "did you mean": the same name in another case first, then close spellings."""

from __future__ import annotations

import difflib
import os
from itertools import islice
from pathlib import Path

from thrifty.confine import open_beneath
from thrifty.errors import ToolError

MAX_ENTRIES = 5000  # entries of a huge directory considered at most


def near_names(root: Path, directory: Path, name: str, limit: int = 3) -> list[str]:
    """Entries of `directory` that look like `name`, best first; none when it cannot be listed or, once opened,
    turns out not to be inside `root` (names from outside are bytes from outside too)."""
    try:
        fd = open_beneath(root, directory, directory.name, directory=True)
    except ToolError:
        return []
    try:
        with os.scandir(fd) as entries:
            names = [entry.name for entry in islice(entries, MAX_ENTRIES)]
    except OSError:
        return []
    finally:
        os.close(fd)
    lowered = {n.lower(): n for n in names}
    near = [lowered[name.lower()]] if name.lower() in lowered else []
    near += difflib.get_close_matches(name, names, n=limit, cutoff=0.6)
    return list(dict.fromkeys(near))[:limit]
