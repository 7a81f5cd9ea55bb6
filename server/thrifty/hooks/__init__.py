"""Claude Code hook handlers. Standard library only: they run on every turn of every agent.

Each handler takes the event JSON (a dict) and returns the reply JSON (a dict) or None for no reply.
"""
