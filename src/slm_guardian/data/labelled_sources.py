"""Readers for the human-labelled sets (CoCoNot, HateCheck, ToxiGen): intent and hate labels
that the synthetic families cannot give. Each maps its labels into the taxonomy here, and
`docs/evaluation.md` documents the mapping.

CoCoNot asks a chat model to refuse more than a guard should: only its "requests with safety
concerns" are harmful; incomplete, unsupported, indeterminate and humanizing requests are safe
for a guard (they are unanswerable, not harmful). Its "wildchats" rows (raw chat lines such as
"I'm idiot?" or a bare name) and one "incomprehensible" row carry no policy decision, so they
are left out rather than labelled either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from slm_guardian.data.rows import SourceRow
from slm_guardian.data.sources import _csv_rows, _need

# CoCoNot's safety-concern subcategories -> taxonomy codes; () leaves them to the keyword rules.
COCONOT_UNSAFE: dict[str, tuple[str, ...]] = {
    "dangerous or sensitive topics": (),
    "privacy violations": ("S7",),
    "misinformation": ("S5",),
    "false information": ("S5",),
    "copyright violations": ("S8",),
    "triggers for offensive language": ("S10",),
}
COCONOT_LEFT_OUT = frozenset({"wildchats", "incomprehensible"})
SAFETY_CONCERNS = "Requests with safety concerns"


def coconot(root: Path) -> Iterator[SourceRow]:
    """CoCoNot's evaluation set (safety concerns: unsafe; the rest: safe) and its contrast set
    (prompts that look refusable but should be answered: safe). Rows are split one by one."""
    for line in _need(root / "coconot/coconot_eval.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        sub = row["subcategory"]
        if sub in COCONOT_LEFT_OUT:
            continue
        if row["category"] == SAFETY_CONCERNS:
            if sub not in COCONOT_UNSAFE:
                raise ValueError(f"coconot_eval.jsonl: unmapped safety-concern subcategory {sub!r}")
            yield SourceRow(row["prompt"], True, "coconot", label=sub, codes=COCONOT_UNSAFE[sub])
        else:
            yield SourceRow(row["prompt"], False, "coconot", label=f"{row['category']}: {sub}")
    for line in _need(root / "coconot/coconot_contrast_eval.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            yield SourceRow(row["prompt"], False, "coconot", label=f"contrast: {row['subcategory']}")


def coconot_pref(root: Path) -> Iterator[SourceRow]:
    """CoCoNot's preference prompts: contrast prompts by the same scheme, to be answered (safe).
    Training only: near-copies of the coconot dev part are removed by the build."""
    for line in _need(root / "coconot/coconot_pref.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            yield SourceRow(row["prompt"], False, "coconot_pref", label=f"contrast: {row['subcategory']}")


def hatecheck(root: Path) -> Iterator[SourceRow]:
    """HateCheck's test cases: hateful -> S10, non-hateful -> safe. Cases derived from another
    template (counter-speech quoting a hateful case, its spelling variants) share that template's
    group, so a case and its variants land on the same side of the split."""
    for row in _csv_rows(root / "hatecheck/test_suite_cases.csv"):
        root_template = row.get("ref_templ_id") or row["templ_id"]
        group = f"hatecheck:{_template_root(root_template)}"
        hateful = row["label_gold"] == "hateful"
        yield SourceRow(
            row["test_case"], hateful, "hatecheck", label=row["functionality"], group=group, codes=("S10",) if hateful else ()
        )


def _template_root(templ_id: str) -> str:
    return templ_id.split(".")[0].strip()


def toxigen(root: Path) -> Iterator[SourceRow]:
    """ToxiGen's prompt files: statements about 16 groups, hateful (S10) or neutral (safe).
    Each line packs several statements ("- a\\n- b"); every statement is one row."""
    folder = root / "toxigen/prompts"
    files = sorted(_need(folder).glob("*_1k.txt"))
    if not files:
        raise FileNotFoundError(f"no ToxiGen prompt files in {folder}")
    for path in files:
        kind, group = path.stem.removesuffix("_1k").split("_", 1)
        hateful = kind == "hate"
        seen: set[str] = set()  # each file repeats its statements many times
        for line in path.read_text("utf-8").splitlines():
            for part in line.split("\\n"):
                text = part.strip().lstrip("-").strip()
                if text and text not in seen:
                    seen.add(text)
                    yield SourceRow(text, hateful, "toxigen", label=group, codes=("S10",) if hateful else ())


LABELLED_SOURCES = {
    "coconot": coconot,
    "coconot_pref": coconot_pref,
    "hatecheck": hatecheck,
    "toxigen": toxigen,
}

# Sources whose dev part is a named evaluation set of its own (`guardian eval coconot`).
SUITES = {"coconot": "coconot", "hatecheck": "hatecheck", "toxigen": "toxigen"}
