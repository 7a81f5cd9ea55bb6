"""The MCP server's `instructions`, shared by the real server and the first-run stand-in (standard library only).

Claude Code puts them in every session's system prompt under its own header, so they name the habit, not the
details: the tool schemas and the cost-plan skill carry those."""

INSTRUCTIONS = (
    "Prefer read_many/grep_and_read to repeated Read/Grep, and run_checks to tests or linters via Bash; "
    "load all three in one ToolSearch."
)
