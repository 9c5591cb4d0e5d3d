"""The `--adapter NAME=DIR` option the adapter-comparing benchmarks share."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_adapter_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--adapter", action="append", default=[], metavar="NAME=DIR", help="another adapter to compare (repeatable)")


def adapters_to_compare(parser: argparse.ArgumentParser, specs: list[str]) -> dict[str, Path | None]:
    """The shipped adapter (None) under "shipped", then each NAME=DIR; a bad spec is a parser error."""
    adapters: dict[str, Path | None] = {"shipped": None}
    for spec in specs:
        name, _, folder = spec.partition("=")
        if not folder or not Path(folder).is_dir():
            parser.error(f"--adapter wants NAME=DIR with an existing folder, got {spec!r}")
        adapters[name] = Path(folder)
    return adapters
