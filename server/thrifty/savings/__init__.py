"""What thrifty saved and the waste that is left, measured where each happens (`thrifty.report.savings` reports it).

Where each figure is measured, and why there:
- A thrifty tool call's savings are measured by the MCP server as it answers (`native`): it alone knows which files
  it read, their sizes and line counts, without reading anything twice. Claude Code sends the call's tool_use id in
  the request's `_meta` (`claudecode/toolUseId`), so the row is keyed by it.
- The session and the agent of every call, and the native calls' inputs and results (a Read's path, range and size,
  a check run through Bash and its output size) are recorded by the async PostToolUse hook (`events`): it sees them
  at execution, off the agent's path, with no transcript parsing. The two meet on the tool_use id.
- Turn boundaries, context sizes and models come from the transcript ledger (`turns`, `tool_calls`).
Standard library only, below report/, guard/ and tools/: `native` (the server's measurement), `events` (the hook's
record), `estimate` (the dollar formula), `steer_limits` (thresholds the hints and the report share).
"""
