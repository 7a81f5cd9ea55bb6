"""The team database for a CLI command: the URL from `--db` or the `team_db` setting, every failure a clear message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click


def team_url(db: str | None) -> str:
    """`--db`, else the `team_db` setting of the current project (userConfig, pyproject.toml, .thrifty.toml)."""
    if db:
        return db.strip()
    from thrifty.guard.settings import resolve
    from thrifty.paths import project_root

    url = str(resolve(project_root())["team_db"])
    if not url:
        raise click.UsageError("no team database: pass --db postgresql://user@host:5432/dbname or set team_db "
                               "(the plugin's options, or team_db = \"...\" under [budget] in .thrifty.toml)")
    return url


@contextmanager
def team_db(url: str) -> Iterator[Any]:
    """A connection to the team database; connection and driver errors become ClickException (no password)."""
    from thrifty.team.deps import MissingExtra
    from thrifty.team.pg import TeamDbError, connect, error_text

    try:
        pg = connect(url)
    except (TeamDbError, MissingExtra) as exc:
        raise click.ClickException(str(exc)) from None
    import psycopg

    from thrifty.dburl import redact

    try:
        yield pg
    except psycopg.Error as exc:
        raise click.ClickException(f"the team database {redact(url)} failed: {error_text(exc, url)}") from None
    finally:
        pg.close()
