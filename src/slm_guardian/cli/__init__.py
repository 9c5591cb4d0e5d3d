"""The `guardian` command: a thin shell over the library, one module per command group."""

from __future__ import annotations

from slm_guardian.cli import judge, taxonomy, serve, data, train, evaluate, export  # noqa: F401, I001  (importing registers the commands, in --help order)
from slm_guardian.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
