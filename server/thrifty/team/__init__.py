"""The team view: this machine's ledger pushed to a shared PostgreSQL (`thrifty sync`), team reports read back from
it, the cache of the team's spend that team budgets read (`thrifty.guard.team_budget`), and OTLP metrics export
(`thrifty export otlp`).

`spawn` (the Stop hook starts the background job with it), `identity` and `marks` are standard library only.
Everything that talks to PostgreSQL or OpenTelemetry needs the `team` extra (see `deps`).
"""
