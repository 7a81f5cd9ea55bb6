"""The pydantic schema behind run_checks: what a check is, what one run of it found, the whole report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Status = Literal["passed", "failed", "timed out", "error", "skipped"]
Source = Literal["configured", "detected"]


class CheckSpec(BaseModel, frozen=True):
    """One check as configured (or detected): its argv is never built from tool arguments, only extended by paths."""

    name: str
    argv: tuple[str, ...]
    timeout: float
    cwd: str = "."  # relative to the project root, already confined
    files: bool | tuple[str, ...] = False  # accepts file arguments; a tuple limits them to these name globs
    format: str = "generic"  # which parser reads its output
    source: Source = "configured"
    origin: str = ""  # where it came from, for messages: "pyproject.toml [tool.thrifty.checks.types]"


class Finding(BaseModel):
    """A failing test (name = test id) or a finding (name = path:line:col), with its message and trimmed detail."""

    name: str
    code: str = ""  # FAILED/ERROR for tests, the rule for linters (F401, TS2322, E0308)
    message: str = ""
    detail: str = ""  # traceback or extra lines, already trimmed of library frames and repeats


class CheckResult(BaseModel):
    name: str
    command: str
    source: Source
    status: Status
    exit_code: int | None = None
    duration_s: float = 0.0
    summary: str = ""  # the tool's own summary line, e.g. "17 failed, 690 passed in 3.01s"
    counts: dict[str, int] = {}
    findings: list[Finding] = []
    findings_total: int = 0  # the tool's own count when it names more than the kept output holds
    narrowed_to: list[str] | None = None  # file arguments given; None when it ran whole
    message: str = ""  # why it errored, was skipped, or timed out
    output_tail: list[str] = []  # last lines of output, shown when the parser found nothing to name
    log_path: str = ""
    output_bytes: int = 0
    log_truncated: bool = False
    leftovers: list[str] = []  # processes the check left running (a server, a watcher), ended when it ended


class ChecksReport(BaseModel):
    checks: list[CheckResult]
    config: str  # "pyproject.toml", ".thrifty.toml" or "detected"
    detected: list[str] = []
    narrowed_by: str = ""  # "2 paths", "3 changed files"
    wall_s: float = 0.0
