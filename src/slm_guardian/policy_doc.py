"""The written policy as Markdown, rendered from the taxonomy's policy fields (docs/policy.md
holds this text under its introduction; a test keeps the two in step)."""

from __future__ import annotations

from slm_guardian.taxonomy import Taxonomy


def policy_markdown(taxonomy: Taxonomy) -> str:
    """Per category: what is unsafe in any frame, what is safe, edge cases and examples."""
    parts = []
    for category in taxonomy.categories:
        policy = category.policy
        lines = [f"### {category.code} {category.name}", "", category.definition, ""]
        if policy is None:
            parts.append("\n".join([*lines, "_No policy written for this category._", ""]))
            continue
        sections = (
            ("Unsafe in any frame", policy.unsafe),
            ("Safe", policy.safe),
            ("Edge cases", policy.edge),
            ("Unsafe examples", policy.unsafe_examples),
            ("Safe examples", policy.safe_examples),
        )
        for title, items in sections:
            if items:
                lines += [f"**{title}**", "", *(f"- {item}" for item in items), ""]
        parts.append("\n".join(lines))
    return "\n".join(parts).rstrip() + "\n"
