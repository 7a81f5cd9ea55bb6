"""run_checks' core: configured or detected checks run concurrently, parsed, and rendered within a token budget.

Pure pieces (config, detect, plan, parsers, render) plus one impure runner; `service.run_checks` ties them together.
"""
