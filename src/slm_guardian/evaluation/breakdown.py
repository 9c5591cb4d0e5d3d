"""Where a guard's errors sit: flag rates per group of a dev set (a policy area, a HateCheck
functionality, a CoCoNot subcategory) and recall / false-positive rate per category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence


def group_rates(labels: Sequence[bool], flagged: Sequence[bool], groups: Sequence[str | None]) -> dict[str, dict]:
    """Per group: how many unsafe and safe rows it holds, the share of its unsafe rows that
    were flagged (recall) and the share of its safe rows that were flagged (flag rate)."""
    by_group: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for label, flag, group in zip(labels, flagged, groups):
        if group:
            by_group[group].append((label, flag))
    out = {}
    for group in sorted(by_group):
        rows = by_group[group]
        unsafe = [f for label, f in rows if label]
        safe = [f for label, f in rows if not label]
        out[group] = {
            "unsafe": len(unsafe),
            "safe": len(safe),
            "recall": sum(unsafe) / len(unsafe) if unsafe else None,
            "safe_flag_rate": sum(safe) / len(safe) if safe else None,
        }
    return out


def category_rates(labels: Sequence[bool], flagged: Sequence[bool], gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], codes: Sequence[str]) -> dict[str, dict]:
    """Per category: recall, the share of unsafe rows of that gold category that were flagged
    (under any category), and fpr, the share of safe rows flagged with that category."""
    safe_rows = [p for label, p in zip(labels, predicted) if not label]
    out = {}
    for code in codes:
        hits = [f for label, f, g in zip(labels, flagged, gold) if label and code in g]
        wrongly = sum(1 for p in safe_rows if code in p)
        if not hits and not wrongly:
            continue
        out[code] = {
            "unsafe": len(hits),
            "recall": sum(hits) / len(hits) if hits else None,
            "fpr": wrongly / len(safe_rows) if safe_rows else None,
        }
    return out


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def group_table(title: str, rates: dict[str, dict]) -> str:
    """A Markdown table of `group_rates`."""
    lines = [f"| {title} | unsafe | recall | safe | safe flagged |", "|---|---|---|---|---|"]
    for group, r in rates.items():
        lines.append(f"| {group} | {r['unsafe']} | {_pct(r['recall'])} | {r['safe']} | {_pct(r['safe_flag_rate'])} |")
    return "\n".join(lines)


def category_table(title: str, rates: dict[str, dict]) -> str:
    """A Markdown table of `category_rates`."""
    lines = [f"| {title} | unsafe | recall | FPR |", "|---|---|---|---|"]
    for code, r in rates.items():
        lines.append(f"| {code} | {r['unsafe']} | {_pct(r['recall'])} | {_pct(r['fpr'])} |")
    return "\n".join(lines)
