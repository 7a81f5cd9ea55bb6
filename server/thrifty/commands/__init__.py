"""One module per `thrifty` subcommand."""
