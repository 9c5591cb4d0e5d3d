"""The `guardian` Typer application and its `data` sub-command group."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="slm-guardian: flag harmful queries and write safeguard responses with one small model.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_app = typer.Typer(help="Build the multi-task training data from public sources.", no_args_is_help=True)
app.add_typer(data_app, name="data")
