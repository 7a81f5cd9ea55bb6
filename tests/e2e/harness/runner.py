"""`claude -p PROMPT --output-format json` in a plugin home against a scripted API, and what it left behind."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .hook_recorder import EVENTS, HookRecorder
from .ledger import expected, hook_fed, rebuilt, tokens
from .plugin_home import PluginHome
from .script import ZERO, Script, Usage
from .scripted_api import ScriptedApi

RUN_TIMEOUT_S = 180


def project_folder(cwd: Path) -> str:
    """Claude Code's folder name for a project under projects/: every non-alphanumeric character becomes '-'."""
    return re.sub(r"[^A-Za-z0-9]", "-", str(cwd))


@dataclass
class ClaudeRun:
    """One finished `claude -p` run: its exit code, output and the parsed JSON result."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    result: dict[str, Any]
    home: PluginHome
    cwd: Path
    debug_file: Path | None = None

    @property
    def session_id(self) -> str:
        return str(self.result["session_id"])

    @property
    def total_cost_usd(self) -> float:
        return float(self.result["total_cost_usd"])

    @property
    def num_turns(self) -> int:
        return int(self.result["num_turns"])

    @property
    def terminal_reason(self) -> str:
        return str(self.result.get("terminal_reason"))

    @property
    def text(self) -> str:
        return str(self.result.get("result", ""))

    @property
    def permission_denials(self) -> list[dict[str, Any]]:
        return list(self.result.get("permission_denials") or [])

    @property
    def session_dir(self) -> Path:
        return self.home.projects_dir / project_folder(self.cwd)

    @property
    def transcript(self) -> Path:
        return self.session_dir / f"{self.session_id}.jsonl"

    def subagent_transcripts(self) -> list[Path]:
        return sorted((self.session_dir / self.session_id / "subagents").glob("agent-*.jsonl"))

    def records(self, path: Path | None = None) -> list[dict[str, Any]]:
        """The JSON records of the main transcript (or of `path`)."""
        lines = (path or self.transcript).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def attachments(self, kind: str, *, subagents: bool = True) -> list[dict[str, Any]]:
        """The `attachment` payloads of one type (`hook_system_message`, `hook_additional_context`,
        `hook_stopped_continuation`...) in the main transcript and, with `subagents`, the subagents'."""
        paths = [self.transcript, *(self.subagent_transcripts() if subagents else [])]
        return [record["attachment"] for path in paths for record in self.records(path)
                if record.get("type") == "attachment" and record.get("attachment", {}).get("type") == kind]

    def debug_log(self) -> str:
        if self.debug_file is None or not self.debug_file.exists():
            return ""
        return self.debug_file.read_text(encoding="utf-8", errors="replace")


@dataclass
class E2E:
    """A test's rig: Claude Code in `home` with thrifty installed, run in project `cwd` against scripted APIs.

    `serve(script)` starts a scripted API (stopped by `close()`); `run(prompt)` runs Claude Code against the API
    given or the one served last. API logs and Claude Code's debug logs go to `log_dir`.
    """

    home: PluginHome
    cwd: Path
    log_dir: Path
    servers: list[ScriptedApi] = field(default_factory=list)
    runs: list[ClaudeRun] = field(default_factory=list)

    def serve(self, script: Script) -> ScriptedApi:
        api = ScriptedApi(script, log_dir=self.log_dir / f"api-{len(self.servers)}")
        api.start()
        self.servers.append(api)
        return api

    def record_hooks(self, events: Iterable[str] = EVENTS) -> HookRecorder:
        """Log every payload Claude Code sends for `events` (a project settings hook beside thrifty's)."""
        return HookRecorder(self.cwd, self.log_dir / "hook-payloads", events).install()

    def hook_errors(self) -> str:
        """What thrifty's hooks logged as errors (they fail open, so a broken hook shows only here)."""
        log = self.home.data_dir / "hooks.log"
        return log.read_text(encoding="utf-8") if log.exists() else ""

    def check_ledgers(self) -> None:
        """Every session these APIs answered: both ledgers (hook-fed, and rebuilt from the transcripts) hold exactly
        the tokens the API reported for it. The `e2e` fixture runs this after every test."""
        truth: dict[str, Usage] = {}
        for api in self.servers:
            for answer in api.answers:
                truth[answer.session_id] = truth.get(answer.session_id, ZERO) + answer.usage
        if not truth:
            return
        ledgers = (("hook-fed", hook_fed(self.home)), ("rebuilt", rebuilt(self.home, self.log_dir / "rebuilt-ledger")))
        for name, ledger in ledgers:
            for session_id, usage in truth.items():
                got = tokens(ledger.report("sessions", session_id).totals)
                assert got == expected(usage), f"{name} ledger, session {session_id}: {got} != API {expected(usage)}"

    def close(self) -> None:
        for api in self.servers:
            api.stop()

    def run(self, prompt: str, *, api: ScriptedApi | None = None, allowed_tools: Iterable[str] = (),
            resume: str | None = None, args: Sequence[str] = (), env: dict[str, str] | None = None,
            check: bool = True, timeout: float = RUN_TIMEOUT_S) -> ClaudeRun:
        """`claude -p PROMPT --output-format json` with `--allowedTools` and `--resume` when given.

        With `check` (the default) a run that printed no JSON result, or whose API saw an unscripted request, raises
        with its output, so a failing scenario says why.
        """
        api = api or (self.servers[-1] if self.servers else None)
        if api is None:
            raise ValueError("no scripted API: call serve(script) first or pass api=")
        debug_file = self.log_dir / f"claude-debug-{len(self.runs)}.txt"
        argv = [self.home.claude, "-p", prompt, "--output-format", "json", "--debug-file", str(debug_file)]
        tools = ",".join(allowed_tools)
        if tools:
            argv += ["--allowedTools", tools]
        if resume:
            argv += ["--resume", resume]
        argv += list(args)
        done = subprocess.run(argv, capture_output=True, text=True, cwd=self.cwd, timeout=timeout,
                              env=self.home.env(api.base_url, **(env or {})), stdin=subprocess.DEVNULL)
        result = _last_json(done.stdout)
        run = ClaudeRun(argv, done.returncode, done.stdout, done.stderr, result or {}, self.home, self.cwd,
                        debug_file)
        self.runs.append(run)
        if check:
            if result is None:
                raise AssertionError(f"claude -p printed no JSON result (exit {done.returncode}).\nstdout: "
                                     f"{done.stdout[-3000:]}\nstderr: {done.stderr[-3000:]}\n{api.problems}")
            api.check()
        return run


def _last_json(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and value.get("type") == "result":
            return value
    return None
