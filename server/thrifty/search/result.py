"""What a grep_and_read call returns to programmatic clients; the model reads the plain text rendered alongside."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WindowOut(BaseModel):
    start: int
    end: int  # the last line shown (a window cut by the budget ends early)
    matches: list[int]  # matching line numbers
    definitions: list[str] = []  # whole definitions shown, e.g. "function load 12-40"


class FileOut(BaseModel):
    path: str
    total_lines: int | None  # None for a streamed large file not read to its end
    windows: list[WindowOut]


class Omitted(BaseModel):
    files: int = 0  # files with matches not shown at all
    matches: int = 0  # match occurrences not shown
    file: str | None = None  # the file shown in part, where the budget ran out
    windows: int = 0  # windows of that file not shown
    lines: int = 0  # lines of that file's windows not shown (including the cut part of a window)


class GrepAndReadResult(BaseModel):
    files: list[FileOut]
    files_matched: int
    matches: int  # match occurrences found (rg counts each match on a line)
    omitted: Omitted = Omitted()
    next_offset: int | None = Field(default=None, description="Pass back as `offset` to continue; null when complete.")
    complete: bool = True  # False when rg timed out or its output was capped
    unmatched_patterns: list[str] = []
    notes: list[str] = []
