"""run_checks end to end: configuration or detection, validation of every name before anything runs, narrowing,
concurrent runs, parsing. Returns the report; rendering is separate."""

from __future__ import annotations

import shlex
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from thrifty.checks.capture import keep_pattern
from thrifty.checks.changed import changed_files
from thrifty.checks.config import load_config
from thrifty.checks.detect import detect_checks
from thrifty.checks.env import check_env
from thrifty.checks.logs import new_run_dir
from thrifty.checks.model import CheckResult, CheckSpec, ChecksReport
from thrifty.checks.parsers import ParseContext, keep_lines, parse_output
from thrifty.checks.plan import PlannedCheck, Target, plan_check, resolve_targets, select_checks
from thrifty.checks.runner import RunOutcome, run_process

TAIL_LINES_FAILED = 20
TAIL_LINES_TIMED_OUT = 10


@dataclass
class Progress:
    """What is running, for progress notifications."""

    total: int = 0
    done: int = 0
    started: dict[str, float] = field(default_factory=dict)  # name -> monotonic start, while running
    last: str = ""  # the latest completion, e.g. "lint failed"


OnChange = Callable[[Progress], Awaitable[None]]


async def run_checks(
    root: Path, names: list[str], paths: list[str], changed: bool, progress: Progress | None = None,
    on_change: OnChange | None = None,
) -> ChecksReport:
    """Run the named checks (all when empty). Raises ToolError, with nothing run, for unknown names or bad paths."""
    started = time.monotonic()
    env = check_env(root)
    config = load_config(root)
    # Detection reads project files: off the event loop, so a slow or odd file cannot freeze the server.
    detected = None if config else await anyio.to_thread.run_sync(detect_checks, root, env["PATH"])
    available = config.checks if config else {s.name: s for s in detected or []}
    selected = select_checks(available, names)
    targets, what = _targets(root, paths, changed)
    plans = [plan_check(spec, root, targets, what) for spec in selected]
    run_dir = new_run_dir()
    progress = progress or Progress()
    progress.total = len(plans)
    results: list[CheckResult | None] = [None] * len(plans)

    async def one(i: int, plan: PlannedCheck) -> None:
        progress.started[plan.spec.name] = time.monotonic()
        result = results[i] = await _run_one(plan, root, env, run_dir)
        del progress.started[plan.spec.name]
        progress.done += 1
        progress.last = f"{plan.spec.name} {result.status}"
        if on_change:
            await on_change(progress)

    async with anyio.create_task_group() as group:
        for i, plan in enumerate(plans):
            group.start_soon(one, i, plan)
    return ChecksReport(
        checks=[r for r in results if r is not None], config=config.source if config else "detected",
        detected=[] if config else list(available), narrowed_by=what, wall_s=round(time.monotonic() - started, 3),
    )


def _targets(root: Path, paths: list[str], changed: bool) -> tuple[list[Target] | None, str]:
    if not paths and not changed:
        return None, ""
    targets = resolve_targets(root, paths)
    described = [f"{len(paths)} path{'s' if len(paths) != 1 else ''}"] if paths else []
    if changed:
        files = changed_files(root)
        targets += [Target(p) for p in files]
        described.append(f"{len(files)} changed file{'s' if len(files) != 1 else ''}")
    return targets, " and ".join(described)


async def _run_one(plan: PlannedCheck, root: Path, env: dict[str, str], run_dir: Path) -> CheckResult:
    spec = plan.spec
    base = CheckResult(
        name=spec.name, command=shlex.join(plan.argv), source=spec.source, status="skipped",
        narrowed_to=list(plan.narrowed_to) if plan.narrowed_to is not None else None,
    )
    if plan.skip_reason:
        return base.model_copy(update={"message": plan.skip_reason})
    cwd = (root / spec.cwd).resolve()
    outcome = await run_process(
        plan.argv, cwd, env, spec.timeout, run_dir / f"{spec.name}.log", keep_pattern(keep_lines(spec.format)),
    )
    if outcome.error:
        return base.model_copy(update={"status": "error", "message": _start_error(spec, outcome)})
    return _result(base, spec, outcome, ParseContext(root=root, cwd=cwd))


def _result(base: CheckResult, spec: CheckSpec, outcome: RunOutcome, ctx: ParseContext) -> CheckResult:
    parsed = parse_output(spec.format, outcome.text, ctx)
    if outcome.timed_out:
        status, message = "timed out", f"timed out after {spec.timeout:g}s; its process group was killed"
    elif outcome.exit_code is not None and outcome.exit_code < 0:
        status, message = "failed", f"killed by {_signal_name(-outcome.exit_code)}"
    else:
        status, message = ("passed" if outcome.exit_code == 0 else "failed"), ""
    tail: list[str] = []
    if status == "timed out" or (status == "failed" and not parsed.findings):
        lines = [ln for ln in outcome.text.splitlines() if ln.strip()]
        tail = _readable(lines[-(TAIL_LINES_TIMED_OUT if status == "timed out" else TAIL_LINES_FAILED):])
    return base.model_copy(update={
        "status": status, "exit_code": outcome.exit_code, "duration_s": round(outcome.duration_s, 3),
        "summary": parsed.summary, "counts": parsed.counts, "findings": parsed.findings,
        "findings_total": max(parsed.total or 0, len(parsed.findings)), "message": message, "output_tail": tail,
        "log_path": str(outcome.log_path), "output_bytes": outcome.output_bytes,
        "log_truncated": outcome.log_truncated, "leftovers": list(outcome.leftovers),
    })


def _signal_name(number: int) -> str:
    try:
        return f"{signal.Signals(number).name} (signal {number})"
    except ValueError:
        return f"signal {number}"


def _readable(lines: list[str]) -> list[str]:
    """The lines with runs of binary garbage (mostly undecodable or control characters) folded into one note."""
    out: list[str] = []
    garbage = 0
    for line in [*lines, ""]:
        unreadable = sum(1 for c in line if c == "\ufffd" or (not c.isprintable() and c != "\t"))
        if line and unreadable * 4 > len(line):
            garbage += 1
            continue
        if garbage:
            out.append(f"[{garbage} line{'s' if garbage != 1 else ''} of binary output not shown; the log has them]")
            garbage = 0
        if line:
            out.append(line)
    return out


def _start_error(spec: CheckSpec, outcome: RunOutcome) -> str:
    if spec.source == "configured":
        return f"{outcome.error}; install it or fix {spec.origin}"
    return (f"{outcome.error} ({spec.origin}); install it, or configure [tool.thrifty.checks] in pyproject.toml "
            "to run something else")
