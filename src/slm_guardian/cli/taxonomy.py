"""`guardian taxonomy`: list the categories, or print the written policy."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from slm_guardian.cli.app import app
from slm_guardian.cli.common import fail, out


@app.command()
def taxonomy(
    file: Optional[Path] = typer.Option(None, "--file", help="Show this taxonomy YAML instead of the packaged one."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    policy: bool = typer.Option(False, "--policy", help="Print the written policy (unsafe in any frame, safe, edge cases, examples) as Markdown."),
) -> None:
    """List the harm categories: code, name and definition (--policy: the full written policy)."""
    import json
    from dataclasses import asdict

    from slm_guardian.policy_doc import policy_markdown
    from slm_guardian.taxonomy import Taxonomy, TaxonomyError

    try:
        tax = Taxonomy.from_yaml(file) if file else Taxonomy.default()
    except TaxonomyError as exc:
        fail(str(exc))
    if policy and not as_json:
        print(policy_markdown(tax), end="")
        return
    if as_json:
        rows = [
            {"code": c.code, "name": c.name, "definition": c.definition, "openai": list(c.openai), "priority": c.priority, "policy": asdict(c.policy) if c.policy else None}
            for c in tax.categories
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="harm categories")
    table.add_column("code", style="bold")
    table.add_column("name")
    table.add_column("definition")
    for c in tax.categories:
        table.add_row(c.code, c.name, c.definition)
    out.print(table)
