"""Names near a missing one, for "did you mean": the same name in another case first, then close spellings."""

from __future__ import annotations

import difflib
import os
from itertools import islice
from pathlib import Path

MAX_ENTRIES = 5000  # entries of a huge directory considered at most


def near_names(directory: Path, name: str, limit: int = 3) -> list[str]:
    """Entries of `directory` that look like `name`, best first; none when it cannot be listed."""
    try:
        with os.scandir(directory) as entries:
            names = [entry.name for entry in islice(entries, MAX_ENTRIES)]
    except OSError:
        return []
    lowered = {n.lower(): n for n in names}
    near = [lowered[name.lower()]] if name.lower() in lowered else []
    near += difflib.get_close_matches(name, names, n=limit, cutoff=0.6)
    return list(dict.fromkeys(near))[:limit]
