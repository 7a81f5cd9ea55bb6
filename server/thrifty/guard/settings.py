"""Budget and loop-guard settings, resolved the same way by the hooks and the CLI; standard library only.

Precedence, lowest first: defaults; the plugin's userConfig, which Claude Code exports to hooks as
`CLAUDE_PLUGIN_OPTION_<KEY>`; `[tool.thrifty.budget]` in the project's pyproject.toml; `[budget]` (or
`[tool.thrifty.budget]`) in its .thrifty.toml. One key set everywhere (see `KEYS`). Money budgets and token budgets
are off (0) by default, because subscription users do not pay per token and a surprise refusal costs more than it
saves; the loop guard is on. Token budgets count every token kind, cache reads included (the `total_tokens` of
`thrifty report`). A bad value is ignored with an error naming its source, never fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from thrifty.regular_file import read_regular

ENV_PREFIX = "CLAUDE_PLUGIN_OPTION_"
Level = Literal["session", "subagent", "daily", "team_daily"]
Unit = Literal["usd", "tokens"]
LEVELS: tuple[Level, ...] = ("session", "subagent", "daily")
UNITS: tuple[Unit, ...] = ("usd", "tokens")
FAN_OUT_TOOLS = frozenset({"Task", "Agent"})  # the subagent tool; Claude Code versions have used both names


class Spec:
    """One setting: its kind (usd, tokens, percent, count, tools), default and a one-line meaning."""

    __slots__ = ("kind", "default", "help")

    def __init__(self, kind: str, default: object, help: str) -> None:
        self.kind, self.default, self.help = kind, default, help


KEYS: dict[str, Spec] = {
    "session_usd": Spec("usd", 0.0, "USD budget per session, subagents included (0 = off)"),
    "session_tokens": Spec("tokens", 0, "token budget per session (0 = off)"),
    "subagent_usd": Spec("usd", 0.0, "USD budget per subagent (0 = off)"),
    "subagent_tokens": Spec("tokens", 0, "token budget per subagent (0 = off)"),
    "daily_usd": Spec("usd", 0.0, "USD budget per local day, all sessions together (0 = off)"),
    "daily_tokens": Spec("tokens", 0, "token budget per local day, all sessions together (0 = off)"),
    "warn_percent": Spec("percent", 80.0, "warn once at this share of a budget"),
    "stop_percent": Spec("percent", 120.0, "stop the session at this share of a budget (0 = never)"),
    "expensive_tools": Spec("tools", ("WebSearch", "WebFetch"), "tools refused at 100% (`mcp__x__*` = prefix)"),
    "loop_repeat_limit": Spec("count", 5, "refuse the Nth identical consecutive tool call (0 = off)"),
    "loop_idle_limit": Spec("count", 12, "refuse after N calls with no file change and no new result (0 = off)"),
    "steer": Spec("steer", "hint", "off | hint (name the thrifty call to the model) | enforce (refuse the call)"),
    "max_subagents": Spec("count", 50, "refuse the Agent call past this many subagents per session (0 = off)"),
    "max_concurrent_subagents": Spec("count", 10, "refuse the Agent call past this many running at once (0 = off)"),
    "budget_fail": Spec("fail", "open", "when the spend cannot be computed: open (allow) or closed (refuse new "
                        "subagents)"),
    "team_db": Spec("url", "", "PostgreSQL URL of the team view; the Stop hook syncs to it in the background"),
    "team_daily_usd": Spec("usd", 0.0, "USD budget per local day, every machine of the team together (0 = off)"),
    "team_daily_tokens": Spec("tokens", 0, "token budget per local day, every machine of the team (0 = off)"),
    "otlp_endpoint": Spec("endpoint", "", "OTLP/HTTP collector; the Stop hook exports new metrics to it"),
}
STEER_MODES = ("off", "hint", "enforce")
# priced from the cached team spend (thrifty.guard.team_budget), not from the queries of LEVELS
TEAM_LEVEL: Level = "team_daily"


class Settings:
    """Resolved values, where each came from (`default`, `userConfig`, a file name) and the errors met on the way."""

    __slots__ = ("values", "sources", "errors", "project_dir")

    def __init__(self, project_dir: str = "") -> None:
        self.values: dict[str, Any] = {key: spec.default for key, spec in KEYS.items()}
        self.sources: dict[str, str] = dict.fromkeys(KEYS, "default")
        self.errors: list[str] = []
        self.project_dir = project_dir

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def limit(self, level: str, unit: str) -> float:
        return float(self.values[f"{level}_{unit}"])

    @property
    def budgets_on(self) -> bool:
        return any(self.limit(level, unit) > 0 for level in (*LEVELS, TEAM_LEVEL) for unit in UNITS)

    @property
    def loop_guard_on(self) -> bool:
        return bool(self.values["loop_repeat_limit"] or self.values["loop_idle_limit"])

    @property
    def steer_on(self) -> bool:
        return self.values["steer"] != "off"

    @property
    def spawn_ceiling_on(self) -> bool:
        return bool(self.values["max_subagents"] or self.values["max_concurrent_subagents"])

    def is_expensive(self, tool_name: str) -> bool:
        for pattern in self.values["expensive_tools"]:
            if pattern == tool_name or (pattern.endswith("*") and tool_name.startswith(pattern[:-1])):
                return True
        return False

    def to_json(self) -> str:
        """Stored in the ledger and shown by `thrifty budget`: a database URL's password is masked."""
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()}
        if values.get("team_db"):
            from thrifty.dburl import redact

            values["team_db"] = redact(str(values["team_db"]))
        return json.dumps({"values": values, "sources": self.sources, "errors": self.errors,
                           "project_dir": self.project_dir}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        settings = cls(str(data.get("project_dir", "")))
        for key, value in data.get("values", {}).items():
            if key in KEYS:
                settings.values[key] = tuple(value) if isinstance(value, list) else value
        settings.sources.update({k: str(v) for k, v in data.get("sources", {}).items() if k in KEYS})
        settings.errors = [str(e) for e in data.get("errors", [])]
        return settings


def resolve(project_dir: str | Path | None, env: Mapping[str, str] = os.environ) -> Settings:
    """Settings for a project directory (None: none), from defaults, userConfig env vars and the project's files."""
    settings = Settings(str(project_dir or ""))
    for key in KEYS:
        raw = env.get(ENV_PREFIX + key.upper())
        if raw is None:
            raw = env.get(ENV_PREFIX + key)
        if raw is not None and raw.strip() != "":
            _apply(settings, key, raw, "userConfig")
    if project_dir:
        root = Path(project_dir)
        _apply_file(settings, root / "pyproject.toml", ("tool", "thrifty", "budget"))
        _apply_file(settings, root / ".thrifty.toml", ("budget",))
    _check_together(settings)
    return settings


def project_dir_of(event: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> str:
    """The session's project: `CLAUDE_PROJECT_DIR` (set for hooks), else the hook input's `cwd`."""
    value = env.get("CLAUDE_PROJECT_DIR", "").strip()
    if value:
        return value
    cwd = event.get("cwd")
    return cwd if isinstance(cwd, str) else ""


def _apply_file(settings: Settings, path: Path, table_path: tuple[str, ...]) -> None:
    try:
        data = read_regular(path)
    except OSError:
        return
    if b"thrifty" not in data and b"budget" not in data:
        return  # most pyproject.toml files: no need to import and run the TOML parser on every tool call
    import tomllib

    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        settings.errors.append(f"{path.name}: not valid TOML ({exc}); its budget settings are ignored")
        return
    table = _table(doc, table_path)
    if table is None and path.name == ".thrifty.toml":
        table_path = ("tool", "thrifty", "budget")
        table = _table(doc, table_path)
    if table is None:
        return
    where = f"{path.name} [{'.'.join(table_path)}]"
    if not isinstance(table, dict):
        settings.errors.append(f"{where} must be a table of settings")
        return
    for key, value in table.items():
        if key not in KEYS:
            settings.errors.append(f"{where}: unknown setting {key!r}; known: {', '.join(KEYS)}")
            continue
        _apply(settings, key, value, path.name)


def _table(doc: dict[str, Any], table_path: tuple[str, ...]) -> Any:
    table: Any = doc
    for part in table_path:
        table = table.get(part) if isinstance(table, dict) else None
    return table


def _apply(settings: Settings, key: str, raw: object, source: str) -> None:
    spec = KEYS[key]
    try:
        value = PARSERS[spec.kind](raw)
    except ValueError as exc:
        if spec.kind == "url" and isinstance(raw, str):
            from thrifty.dburl import redact

            raw = redact(raw)
        settings.errors.append(f"{source}: {key} = {raw!r} ignored: {exc}")
        return
    settings.values[key] = value
    settings.sources[key] = source


def _check_together(settings: Settings) -> None:
    warn, stop = settings.values["warn_percent"], settings.values["stop_percent"]
    if stop and stop < 100:
        settings.errors.append(f"stop_percent = {stop:g} is below 100; using 100 (stop when a budget is reached)")
        settings.values["stop_percent"] = 100.0
    if warn > 100:
        settings.errors.append(f"warn_percent = {warn:g} is above 100; using 100")
        settings.values["warn_percent"] = 100.0
    if not settings.values["team_db"] and any(settings.limit(TEAM_LEVEL, unit) > 0 for unit in UNITS):
        settings.errors.append("team_daily_usd/team_daily_tokens need team_db (the team database): not enforced")
    if settings.values["loop_repeat_limit"] == 1:
        settings.errors.append("loop_repeat_limit = 1 would refuse every call; using 2")
        settings.values["loop_repeat_limit"] = 2


def _number_text(raw: object) -> str:
    if isinstance(raw, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(raw, (int, float)):
        return repr(raw)
    if not isinstance(raw, str):
        raise ValueError(f"expected a number, got {type(raw).__name__}")
    return raw.strip().replace(",", "").replace("_", "")


def parse_usd(raw: object) -> float:
    """'5', '$5', '5.50 USD', 5 -> USD; negative or non-numbers raise ValueError."""
    text = _number_text(raw).lower().removesuffix("usd").strip().lstrip("$").strip()
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not an amount in USD (e.g. 5 or $5.50)") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError("an amount must be 0 (off) or more")
    return value


_SUFFIXES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def parse_tokens(raw: object) -> int:
    """'2000000', '2M', '250k', '1.5m tokens' -> a token count; raises ValueError."""
    text = _number_text(raw).lower().removesuffix("tokens").strip()
    factor = 1
    if text and text[-1] in _SUFFIXES:
        factor, text = _SUFFIXES[text[-1]], text[:-1]
    try:
        value = float(text) * factor
    except ValueError:
        raise ValueError("not a token count (e.g. 2000000, 2M or 250k)") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError("a token count must be 0 (off) or more")
    return int(value)


def parse_percent(raw: object) -> float:
    text = _number_text(raw).rstrip("%").strip()
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a percentage (e.g. 80)") from None
    if not 0 <= value <= 1000:
        raise ValueError("a percentage must be between 0 and 1000")
    return value


def parse_count(raw: object) -> int:
    text = _number_text(raw)
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a whole number") from None
    if value != int(value) or value < 0:
        raise ValueError("must be a whole number, 0 (off) or more")
    return int(value)


def parse_tools(raw: object) -> tuple[str, ...]:
    """'WebSearch, WebFetch' or ["WebSearch", "mcp__github__*"] -> tool names and prefixes."""
    if isinstance(raw, str):
        items: list[object] = list(raw.replace(",", " ").split())
    elif isinstance(raw, list):
        items = raw
    else:
        raise ValueError("expected tool names, e.g. \"WebSearch, WebFetch\"")
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise ValueError("every tool name must be a non-empty string")
    return tuple(str(item).strip() for item in items)


def parse_steer(raw: object) -> str:
    text = str(raw).strip().lower() if isinstance(raw, (str, bool)) else ""
    text = {"false": "off", "true": "hint"}.get(text, text)
    if text not in STEER_MODES:
        raise ValueError(f"expected one of {', '.join(STEER_MODES)}")
    return text


def parse_fail(raw: object) -> str:
    text = str(raw).strip().lower()
    if text not in ("open", "closed"):
        raise ValueError('expected "open" (allow calls when the spend cannot be computed) or "closed"')
    return text


def _url(raw: object, schemes: tuple[str, ...], what: str, example: str) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"expected a URL like {example}")
    text = raw.strip()
    if text and not text.startswith(schemes):
        raise ValueError(f"not {what} (e.g. {example})")
    return text


def parse_url(raw: object) -> str:
    """A PostgreSQL URL ('' = off); the password is better kept in PGPASSWORD or ~/.pgpass than in a file."""
    return _url(raw, ("postgresql://", "postgres://"), "a PostgreSQL URL", "postgresql://user@host:5432/dbname")


def parse_endpoint(raw: object) -> str:
    """An OTLP/HTTP endpoint ('' = off), e.g. http://collector:4318; never with credentials in it, since the
    endpoint is shown in output and logs and names the export's marks."""
    text = _url(raw, ("http://", "https://"), "an http(s) URL", "http://collector:4318")
    if "@" in text.partition("://")[2].partition("/")[0]:
        raise ValueError("an OTLP endpoint must not carry credentials (user:token@host): set them in "
                         "OTEL_EXPORTER_OTLP_HEADERS, which the exporter reads, e.g. 'authorization=Bearer ...'")
    return text


PARSERS = {"usd": parse_usd, "tokens": parse_tokens, "percent": parse_percent, "count": parse_count,
           "tools": parse_tools, "steer": parse_steer, "fail": parse_fail, "url": parse_url,
           "endpoint": parse_endpoint}
