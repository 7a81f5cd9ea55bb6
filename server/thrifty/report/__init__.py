"""`thrifty report`: ledger views as one pydantic schema per view, rendered as JSON or as rich tables."""
