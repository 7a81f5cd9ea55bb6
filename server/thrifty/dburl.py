"""Database URLs made safe to show and to name things by; standard library only (the hooks' settings use it).

A URL's password never leaves this module: `redact` replaces it with `***`, `scrub` removes it from any text (an
error message from the driver, a log line) before that text is shown or written, and `target_key` names the
database without it.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

MASK = "***"


def _password_span(url: str) -> tuple[int, int] | None:
    """Where the password of `scheme://user:password@host/...` stands, by plain string rules: from the first ':'
    after the scheme to the last '@'. URL parsing takes an unencoded '#', '/' or '?' in a password for the start of
    a fragment, path or query and hands the password back as host or path; this does not (at worst it masks more
    than the password, as when a query parameter holds an '@')."""
    start = url.find("://")
    at = url.rfind("@")
    if start < 0 or at < start + 3:
        return None
    colon = url.find(":", start + 3, at)
    return (colon + 1, at) if colon >= 0 else None


def _masked(url: str) -> str:
    span = _password_span(url)
    return url if span is None else url[:span[0]] + MASK + url[span[1]:]


def _query_passwords(url: str) -> list[str]:
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    return [v for k, _, v in (item.partition("=") for item in query.split("&")) if k.lower() == "password" and v]


def _redacted(url: str) -> str:
    try:
        parts = urlsplit(_masked(url))
        query = "&".join(f"{k}={MASK}" if k.lower() == "password" else f"{k}={v}" if sep else k
                         for k, sep, v in (item.partition("=") for item in parts.query.split("&") if item))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "(a database URL that cannot be parsed)"


def redact(url: str) -> str:
    """`postgresql://me:secret@db/team` -> `postgresql://me:***@db/team`; a `password=` query parameter too."""
    return _redacted(scrub(url, url))


def secrets_of(url: str) -> list[str]:
    """The password of `url` as written, decoded and percent-encoded, from the userinfo and a `password=`
    parameter, read both by URL parsing and by plain string rules (which disagree on passwords with '@', '#', '/'
    or '?' in them): every reading is masked, so neither can leak what the other misreads."""
    candidates: list[str] = []
    span = _password_span(url)
    if span:
        candidates.append(url[span[0]:span[1]])
    try:
        parsed = urlsplit(url).password
    except ValueError:
        parsed = None
    if parsed:
        candidates.append(parsed)
    candidates += _query_passwords(url) + _query_passwords(_masked(url))
    found: list[str] = []
    for secret in candidates:
        for form in (secret, unquote(secret)):
            for spelling in (form, quote(form, safe=""), quote_plus(form, safe="")):
                if spelling and spelling not in found:
                    found.append(spelling)
    return found


def scrub(text: str, url: str) -> str:
    """`text` with every form of the URL's password replaced by `***`.

    Every occurrence of every reading is masked together (the union of their spans), so two readings that overlap,
    one eating part of the other, cannot leave a piece of either behind."""
    covered = [False] * len(text)
    for secret in secrets_of(url):
        at = text.find(secret)
        while at >= 0:
            covered[at:at + len(secret)] = [True] * len(secret)
            at = text.find(secret, at + 1)
    out: list[str] = []
    for index, char in enumerate(text):
        if not covered[index]:
            out.append(char)
        elif index == 0 or not covered[index - 1]:
            out.append(MASK)
    return "".join(out)


def target_key(url: str) -> str:
    """The name under which this machine keeps its marks and cached team spend for a database: the URL without any
    password, so `--db` with a password and a `team_db` relying on PGPASSWORD name the same database."""
    try:
        parts = urlsplit(_masked(scrub(url.strip(), url.strip())))
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        query = "&".join(item for item in parts.query.split("&") if item and
                         item.partition("=")[0].lower() != "password")
        return "pg:" + urlunsplit(("postgresql", f"{user}{parts.hostname or ''}{port}", parts.path, query, ""))
    except ValueError:
        return "pg:" + redact(url.strip())
