"""Fleet view and budgets: spend limits and a loop guard enforced in PreToolUse, cache-miss forensics, `thrifty watch`.

Hook-path modules (`settings`, `budgets`, `enforce`, `loop_guard`, `gate`, `cache_misses`) are standard library only;
the views (`models`, `views`, `watch_*`, `budget_view`) use pydantic and rich and run only in the CLI.
"""
