"""One module per noun of the CLI."""
