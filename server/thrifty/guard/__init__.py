"""Spend limits and the loop guard, decided in PreToolUse before the call is made: `settings` (resolved from
userConfig, pyproject.toml and .thrifty.toml), `budgets`, `enforce` (the decision and its message), `loop_guard`,
`gate` (the hook entry points), `recorded` (the settings hooks last used, for the CLI views), and the team daily
budgets: `team_budget`, read from the cache of the other machines' spend in `team_spend` (no network).

Standard library only: the hooks import this package on every tool call.
"""
