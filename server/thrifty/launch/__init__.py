"""Launching the plugin from a bare python3: the launcher (`python -m thrifty.launch`), the venv it builds
(`environment`), the MCP stand-in answering while a first build runs (`firstrun`) and its tools/list snapshot.
Standard library only."""
