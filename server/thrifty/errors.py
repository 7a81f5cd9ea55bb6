"""Errors a model can act on: tools raise them, the MCP layer turns them into error results the model reads."""


class ToolError(ValueError):
    """A problem with the caller's input that the caller can fix; the message says how."""
