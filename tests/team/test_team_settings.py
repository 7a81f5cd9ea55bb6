"""Team settings and the team extra: parsing, masking, the missing-extra message."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from thrifty.cli import cli
from thrifty.dburl import redact, scrub
from thrifty.guard.settings import Settings, resolve
from thrifty.team.deps import TEAM_REQUIREMENTS

REPO = Path(__file__).resolve().parents[2]


def test_team_settings_come_from_user_config_and_project_files(project: Path) -> None:
    env = {"CLAUDE_PLUGIN_OPTION_TEAM_DB": "postgresql://me:pw1@db.internal/team",
           "CLAUDE_PLUGIN_OPTION_TEAM_DAILY_USD": "$40"}
    (project / ".thrifty.toml").write_text('[budget]\nteam_daily_tokens = "20M"\notlp_endpoint = "http://otel:4318"\n')
    settings = resolve(project, env)
    assert settings["team_db"] == "postgresql://me:pw1@db.internal/team"
    assert (settings["team_daily_usd"], settings["team_daily_tokens"]) == (40.0, 20_000_000)
    assert settings["otlp_endpoint"] == "http://otel:4318" and settings.budgets_on and not settings.errors
    stored = settings.to_json()
    assert "pw1" not in stored and Settings.from_json(stored)["team_db"] == "postgresql://me:***@db.internal/team"


def test_a_bad_team_db_is_reported_without_its_password() -> None:
    settings = resolve(None, {"CLAUDE_PLUGIN_OPTION_TEAM_DB": "mysql://me:hunter2@db/team"})
    assert settings["team_db"] == ""
    [error] = settings.errors
    assert "not a PostgreSQL URL" in error and "hunter2" not in error and "***" in error


@pytest.mark.parametrize("url", [
    "postgresql://me:p%40ss%3Aw0rd@db:5432/team",
    "postgresql://me@db/team?password=p@ss:w0rd&sslmode=require",
])
def test_scrub_removes_a_password_in_every_spelling(url: str) -> None:
    text = f"failed for {url}: bad password p@ss:w0rd (encoded p%40ss%3Aw0rd)"
    assert "p@ss:w0rd" not in scrub(text, url) and "p%40ss%3Aw0rd" not in scrub(text, url)
    assert "w0rd" not in redact(url) and redact(url).startswith("postgresql://me")


def test_the_team_extra_matches_pyproject() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert tuple(extras["team"]) == TEAM_REQUIREMENTS


def test_without_the_extra_the_message_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    result = CliRunner().invoke(cli, ["sync", "--db", "postgresql://me@127.0.0.1:1/team"])
    assert result.exit_code == 1 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "needs thrifty's `team` extra" in result.output
    assert f"{sys.executable} -m pip install 'psycopg[binary]>=3.1,<4'" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["report", "html", "--db", "postgresql://me@127.0.0.1:1/team"], "not available over the team database"),
    (["report", "users"], "the users view is a team view"),
    (["report", "users", "--team"], "no team database"),
])
def test_team_report_misuse_gets_a_usage_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("url, secret", [
    ("postgresql://me:ab#cd@db/team", "ab#cd"),  # '#' would start a fragment for URL parsing
    ("postgresql://me:a/b?cd@db:5432/team", "a/b?cd"),  # '/' and '?' would start a path and a query
    ("postgresql://me:pw12@db/team?password=p@ss:w0rd", "ss:w0rd"),  # two readings that overlap
])
def test_a_password_that_url_parsing_misreads_is_masked_everywhere(url: str, secret: str) -> None:
    from thrifty.dburl import target_key

    for shown in (redact(url), scrub(f"cannot connect to {url}", url)):
        assert secret not in shown and "***" in shown
    assert secret not in target_key(url)


def test_an_otlp_endpoint_with_credentials_is_refused() -> None:
    from thrifty.guard.settings import parse_endpoint

    assert parse_endpoint("http://collector:4318") == "http://collector:4318"
    with pytest.raises(ValueError, match="OTEL_EXPORTER_OTLP_HEADERS"):
        parse_endpoint("https://user:t0ken@collector:4318")
