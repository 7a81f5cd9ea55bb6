"""The MCP tools: one module per tool, each a thin layer over a pure core elsewhere in the package."""
