"""The usage ledger: every API turn's tokens from Claude Code transcripts, in one SQLite database per user.

Standard library only: the Stop/SubagentStop hooks import this package on every turn. Modules: `db` (connection,
transaction), `migrations` (schema, documented there), `files` (which transcripts exist and whose they are),
`transcripts` (lines -> usage records), `dedupe` (copies of one response -> one row), `ingest` (incremental writes),
`pricing` (price table, model names), `queries` (aggregates for reports, budgets and watch). The transcript
generator the tests and the benchmark use is tests/fixtures_gen/synth.py, outside the package.
"""
