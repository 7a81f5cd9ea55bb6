"""The usage ledger: every API turn's tokens from Claude Code transcripts, in one SQLite database per user.

Standard library only: the Stop/SubagentStop hooks import this package on every turn. Modules: `db` (connection,
transaction), `migrations` (schema), `transcripts` (lines -> usage records), `ingest` (incremental, de-duplicated
writes), `pricing` (price table, model names), `queries` (aggregates for reports, budgets and watch).
"""
