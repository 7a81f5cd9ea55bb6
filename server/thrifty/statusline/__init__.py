"""`thrifty statusline`: the command behind Claude Code's `statusLine` setting. Standard library only, like the hooks:
it runs after every assistant message, so it must cost little more than starting Python."""
