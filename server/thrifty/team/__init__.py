"""The team view: this machine's ledger pushed to a shared PostgreSQL (`thrifty sync`), team reports read back from
it, team budgets enforced from a local cache of the team's spend, and OTLP metrics export (`thrifty export otlp`).

The modules named `identity`, `marks` and `spawn` are standard library only: the hooks import them. Everything that
talks to PostgreSQL or OpenTelemetry needs the `team` extra (see `deps`).
"""
