"""Budget settings: defaults, userConfig environment variables, per-project files, and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from thrifty.guard.settings import KEYS, Settings, parse_tokens, parse_usd, resolve


def test_budgets_are_off_and_the_loop_guard_on_by_default() -> None:
    settings = resolve(None, {})
    assert not settings.budgets_on and settings.loop_guard_on
    assert settings["loop_repeat_limit"] == 5 and settings["warn_percent"] == 80 and settings["stop_percent"] == 120
    assert settings.is_expensive("WebSearch") and not settings.is_expensive("Read")
    assert set(settings.sources.values()) == {"default"} and settings.errors == []


def test_user_config_arrives_as_upper_case_or_verbatim_option_variables() -> None:
    settings = resolve(None, {"CLAUDE_PLUGIN_OPTION_SESSION_USD": "5", "CLAUDE_PLUGIN_OPTION_daily_tokens": "2M",
                              "CLAUDE_PLUGIN_OPTION_EXPENSIVE_TOOLS": "WebSearch, mcp__github__*",
                              "CLAUDE_PLUGIN_OPTION_SUBAGENT_USD": ""})
    assert settings.limit("session", "usd") == 5 and settings.limit("daily", "tokens") == 2_000_000
    assert settings.sources["session_usd"] == "userConfig" and settings.sources["subagent_usd"] == "default"
    assert settings.is_expensive("mcp__github__create_issue") and not settings.is_expensive("WebFetch")


def test_the_project_files_override_user_config_and_the_dot_file_wins(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\n[tool.thrifty.budget]\nsession_usd = 3\nsubagent_usd = "1.50"\n', encoding="utf-8")
    (project / ".thrifty.toml").write_text("[budget]\nsubagent_usd = 0.75\nexpensive_tools = ['Bash']\n",
                                           encoding="utf-8")
    settings = resolve(project, {"CLAUDE_PLUGIN_OPTION_SESSION_USD": "9", "CLAUDE_PLUGIN_OPTION_DAILY_USD": "40"})
    assert settings.limit("session", "usd") == 3 and settings.sources["session_usd"] == "pyproject.toml"
    assert settings.limit("subagent", "usd") == 0.75 and settings.sources["subagent_usd"] == ".thrifty.toml"
    assert settings.limit("daily", "usd") == 40 and settings["expensive_tools"] == ("Bash",)


def test_a_dot_file_may_use_the_pyproject_table_name(project: Path) -> None:
    (project / ".thrifty.toml").write_text("[tool.thrifty.budget]\ndaily_usd = 25\n", encoding="utf-8")
    assert resolve(project, {}).limit("daily", "usd") == 25


def test_bad_values_are_ignored_with_an_error_that_names_them(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.thrifty.budget]\nsession_usd = -4\nbudgett = 1\n"
                                            "loop_repeat_limit = 2.5\n", encoding="utf-8")
    settings = resolve(project, {"CLAUDE_PLUGIN_OPTION_WARN_PERCENT": "lots",
                                 "CLAUDE_PLUGIN_OPTION_STOP_PERCENT": "90"})
    text = "\n".join(settings.errors)
    assert "session_usd = -4 ignored" in text and "unknown setting 'budgett'" in text
    assert "loop_repeat_limit = 2.5 ignored" in text and "warn_percent = 'lots' ignored" in text
    assert "stop_percent = 90 is below 100" in text
    assert settings.limit("session", "usd") == 0 and settings["warn_percent"] == 80 and settings["stop_percent"] == 100


def test_a_broken_toml_file_is_reported_not_raised(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.thrifty.budget\nsession_usd = 1\n", encoding="utf-8")
    settings = resolve(project, {})
    assert settings.errors and "not valid TOML" in settings.errors[0]
    assert not settings.budgets_on


@pytest.mark.parametrize(("text", "value"), [("5", 5.0), ("$5.50", 5.5), ("1,200", 1200.0), ("7 USD", 7.0),
                                             (3, 3.0)])
def test_amounts_in_usd_are_read_leniently(text: object, value: float) -> None:
    assert parse_usd(text) == value


@pytest.mark.parametrize(("text", "value"), [("2000000", 2_000_000), ("2M", 2_000_000), ("250k", 250_000),
                                             ("1.5m tokens", 1_500_000), ("3_000", 3_000)])
def test_token_counts_take_suffixes(text: str, value: int) -> None:
    assert parse_tokens(text) == value


@pytest.mark.parametrize("text", ["", "five", "-1", "nan", True, "1e999"])
def test_non_amounts_are_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_usd(text)


def test_settings_survive_the_round_trip_through_the_ledger_json() -> None:
    settings = resolve(None, {"CLAUDE_PLUGIN_OPTION_SESSION_USD": "5", "CLAUDE_PLUGIN_OPTION_EXPENSIVE_TOOLS": "A,B"})
    again = Settings.from_json(settings.to_json())
    assert again.values == settings.values and again.sources == settings.sources
    assert set(again.values) == set(KEYS)
