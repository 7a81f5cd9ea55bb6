"""A real PostgreSQL for the team tests (fixtures in fixtures_gen.team): one server per test session in a temporary
directory on a loopback port with password authentication, a fresh database per test; skipped cleanly when
PostgreSQL is not installed or cannot be run as an unprivileged user."""

from fixtures_gen.team import pg_server, team_url  # noqa: F401 - fixtures
