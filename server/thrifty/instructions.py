"""The MCP server's `instructions`, shared by the real server and the first-run stand-in (standard library only)."""

INSTRUCTIONS = (
    "Batched, budgeted code access: prefer read_many and grep_and_read over many Read/Grep calls, "
    "and run_checks over running tests and linters through Bash. Load all three in one ToolSearch: select:"
    "mcp__plugin_thrifty_thrifty__read_many,mcp__plugin_thrifty_thrifty__grep_and_read,"
    "mcp__plugin_thrifty_thrifty__run_checks"
)
