"""Files changed against git HEAD (staged, unstaged and untracked), found with GitPython."""

from __future__ import annotations

from pathlib import Path

import git

from thrifty.errors import ToolError


def changed_files(root: Path) -> list[Path]:
    """Existing files under `root` that differ from HEAD or are untracked (not ignored), sorted.

    Raises:
        ToolError: `root` is not inside a git work tree.
    """
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise ToolError("changed=true needs a git repository at the project root; pass paths instead") from exc
    with repo:
        top = Path(repo.working_tree_dir or root).resolve()
        names: set[str] = set(repo.untracked_files)
        if repo.head.is_valid():
            # HEAD against the working tree covers staged and unstaged edits in one diff.
            for diff in repo.head.commit.diff(None):
                names.update(p for p in (diff.a_path, diff.b_path) if p)
        else:  # no commit yet: everything staged is new
            names.update(str(path) for path, _stage in repo.index.entries)
    found = {(top / name).resolve() for name in names}
    return sorted(p for p in found if p.is_file() and p.is_relative_to(root))
