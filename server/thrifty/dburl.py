"""Database URLs made safe to show and to name things by; standard library only (the hooks' settings use it).

A URL's password never leaves this module: `redact` replaces it with `***`, `scrub` removes it from any text (an
error message from the driver, a log line) before that text is shown or written, and `target_key` names the
database without it.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

MASK = "***"


def _password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return None
    return unquote(password) if password else None


def redact(url: str) -> str:
    """`postgresql://me:secret@db/team` -> `postgresql://me:***@db/team`; a `password=` query parameter too."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            userinfo, _, hostport = netloc.rpartition("@")
            netloc = f"{userinfo.partition(':')[0]}:{MASK}@{hostport}"
        query = "&".join(f"{k}={MASK}" if k.lower() == "password" else f"{k}={v}" if sep else k
                         for k, sep, v in (item.partition("=") for item in parts.query.split("&") if item))
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "(a database URL that cannot be parsed)"


def secrets_of(url: str) -> list[str]:
    """The password of `url` as written, decoded and percent-encoded, from the userinfo and a `password=`
    parameter."""
    found: list[str] = []
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    raw = parts.netloc.rpartition("@")[0].partition(":")[2] if "@" in parts.netloc else ""
    decoded = _password(url) or ""
    params = [v for k, _, v in (item.partition("=") for item in parts.query.split("&")) if k.lower() == "password"]
    for secret in (raw, decoded, *params, *(unquote(p) for p in params)):
        for spelling in (secret, quote(secret, safe=""), quote_plus(secret, safe="")):
            if spelling and spelling not in found:
                found.append(spelling)
    return found


def scrub(text: str, url: str) -> str:
    """`text` with every form of the URL's password replaced by `***`."""
    for secret in sorted(secrets_of(url), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def target_key(url: str) -> str:
    """The name under which this machine keeps its marks and cached team spend for a database: the URL without any
    password, so `--db` with a password and a `team_db` relying on PGPASSWORD name the same database."""
    try:
        parts = urlsplit(url.strip())
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        query = "&".join(item for item in parts.query.split("&") if item and
                         item.partition("=")[0].lower() != "password")
        return "pg:" + urlunsplit(("postgresql", f"{user}{parts.hostname or ''}{port}", parts.path, query, ""))
    except ValueError:
        return "pg:" + redact(url.strip())
