"""`sweepers plot`."""

import typer

app = typer.Typer(help="plot commands", no_args_is_help=True)
