"""`thrifty footprint`: what thrifty and the other configured plugins and MCP servers add to every session's base
context: `measure` (the audit), `plugin_files` and `frontmatter` (skills, agents, commands), `hook_probe` (what hooks
inject) and `mcp_servers` (the configured servers and a bounded look at each)."""
