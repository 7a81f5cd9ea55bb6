"""grep_and_read's engine: ripgrep finds the matching lines, then windows, symbol widening and a token budget."""
