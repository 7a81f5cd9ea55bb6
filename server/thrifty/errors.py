"""Errors a model can act on. Tools raise them; the MCP layer turns them into `is_error` results, the CLI into messages."""


class ToolError(ValueError):
    """A problem with the caller's input that the caller can fix; the message says how."""
