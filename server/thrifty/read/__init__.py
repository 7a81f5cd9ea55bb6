"""Reading files and parts of files for the model: symbols, streaming access, item parsing and the read_many core."""
