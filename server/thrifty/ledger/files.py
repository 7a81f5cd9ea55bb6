"""Transcript files: where Claude Code keeps them and whose they are (session, project, agent), as ccusage decides.

`find_transcripts` lists every `*.jsonl` under `projects/`; `session_files` a session's main transcript plus its
subagents; `describe` attributes a file by its place in the tree; `read_meta` reads a subagent's type.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from thrifty.ledger.transcripts import json_object

MAIN_AGENT = "main"


class TranscriptsError(Exception):
    """The transcripts directory exists but cannot be read."""


class FileSource:
    """Whose a transcript file is: the session and project ccusage would give it, and the agent that wrote it."""

    __slots__ = ("path", "session_id", "project", "agent_id")

    def __init__(self, path: str, session_id: str, project: str, agent_id: str) -> None:
        self.path, self.session_id, self.project, self.agent_id = path, session_id, project, agent_id


def describe(path: str, root: Path | None = None) -> FileSource:
    """Session/project of a transcript by its place under `projects/`, as ccusage decides it.

    `<project>/<session>.jsonl` -> that session; `<project>/<session>/subagents/agent-<id>.jsonl` -> the parent
    session, agent `<id>`; any other depth -> the parent directory's name as session.
    """
    parts = _relative_parts(path, root)
    name = parts[-1] if parts else ""
    agent_id = MAIN_AGENT
    if len(parts) >= 2 and "subagents" in parts[:-1] and name.startswith("agent-") and name.endswith(".jsonl"):
        agent_id = name[6:-6] or MAIN_AGENT
    stem = name[:-6] if name.endswith(".jsonl") else ""
    if len(parts) == 2 and stem:
        return FileSource(path, stem, parts[0], agent_id)
    if len(parts) >= 4 and parts[-2] == "subagents":
        return FileSource(path, parts[-3], "/".join(parts[:-3]) or "Unknown Project", agent_id)
    session = parts[-2] if len(parts) >= 2 else "unknown"
    project = "/".join(parts[:-2]) if len(parts) > 2 else "Unknown Project"
    return FileSource(path, session, project, agent_id)


def _relative_parts(path: str, root: Path | None) -> list[str]:
    parts = Path(path).parts
    if root is not None:
        root_parts = root.parts
        if parts[: len(root_parts)] == root_parts:
            return list(parts[len(root_parts):])
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "projects":
            return list(parts[index + 1:])
    return list(parts)


def find_transcripts(root: Path) -> list[tuple[str, int, int]]:
    """(path, inode, size) of every `*.jsonl` under `root`, sorted by path; symlinks are not followed.

    Raises:
        TranscriptsError: `root` exists but cannot be listed.
    """
    found: list[tuple[str, int, int]] = []
    try:
        _walk(str(root), found, top=True)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TranscriptsError(f"cannot read the transcripts directory {root}: {exc.strerror or exc}") from exc
    found.sort()
    return found


def _walk(directory: str, found: list[tuple[str, int, int]], top: bool = False) -> None:
    try:
        entries = os.scandir(directory)
    except OSError:
        if top:
            raise
        return  # one unreadable project folder must not hide the others
    with entries:
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    _walk(entry.path, found)
                elif entry.name.endswith(".jsonl") and entry.is_file(follow_symlinks=False):
                    found.append((entry.path, entry.inode(), entry.stat(follow_symlinks=False).st_size))
            except OSError:
                continue


def session_files(transcript_path: Path) -> list[Path]:
    """A session's main transcript and the subagent transcripts in `<session>/subagents/` (recursively)."""
    files = [transcript_path]
    subagents = transcript_path.with_suffix("") / "subagents"
    found: list[tuple[str, int, int]] = []
    try:
        _walk(str(subagents), found, top=True)
    except OSError:
        return files
    files.extend(Path(path) for path, _, _ in sorted(found))
    return files


def read_meta(path: Path) -> tuple[str | None, str | None]:
    """(agentType, description) from a subagent's meta file; (None, None) when absent or unreadable."""
    try:
        meta = json_object(json.loads(path.read_bytes()))
    except (OSError, ValueError):
        return None, None
    if meta is None:
        return None, None
    agent_type, description = meta.get("agentType"), meta.get("description")
    return (agent_type if isinstance(agent_type, str) else None,
            description if isinstance(description, str) else None)
