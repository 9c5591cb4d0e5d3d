"""Readers for the Korean human-labelled sets and multilingual HateCheck, their labels mapped
into the taxonomy by the written policy (docs/policy.md); `docs/evaluation.md` documents the
mapping. Only a multilingual build reads them (DataConfig.languages).

The sets label more than the policy calls harm, and a guard trained on every such label
flags rough but allowed talk. So:

- KoSBi: a sentence labelled unsafe for explicit prejudice or discrimination is S10; one
  labelled unsafe only for a stereotype (or an undefined reason) is left out, since the policy
  makes a statement hate when it demeans a group, not whenever it generalises about one.
- korean_hate_speech (news comments): "hate" with a gender or other group bias is S10; "hate"
  without one targets a person (S15); "offensive" and "none" are safe (rough talk).
- APEACH: "Spoiled" text on a protected attribute (gender, origin, nationality, disability,
  race) is S10, on sexual harassment S3; on appearance, diet, education or age it is left out
  (the policy protects none of these, and rudeness alone is allowed); "Default" is safe.
- SQuARe: sensitive questions are safe to answer, so every question is safe.
- Multilingual HateCheck (10 languages, no Korean): hateful is S10, non-hateful safe; a case and
  its variants share their template's group.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from slm_guardian.data.rows import SourceRow
from slm_guardian.data.sources import _csv_rows, _need

KOSBI_HARM = frozenset({"prejudice_explicit", "discrimination_explicit"})
APEACH_CODES = {"Gender sterotypes": ("S10",), "Origin and residence": ("S10",), "Nationality": ("S10",), "Disabled": ("S10",), "Racism": ("S10",), "Sexual harassment": ("S3",)}


def kosbi(root: Path) -> Iterator[SourceRow]:
    """KoSBi sentences (the context sentence before each is not itself labelled here)."""
    for row in json.loads(_need(root / "korean_safety/kosbi_valid.json").read_text("utf-8")):
        group = f"kosbi:{row['context']}"
        label = row["demographic_category"]
        if row["sentence_label"] == "safe":
            yield SourceRow(row["sentence"], False, "kosbi", label=label, group=group)
        elif KOSBI_HARM & set(row.get("sentence_sub_label") or ()):
            yield SourceRow(row["sentence"], True, "kosbi", label=label, group=group, codes=("S10",))


def korean_hate_speech(root: Path) -> Iterator[SourceRow]:
    """Both files; the project carves its own dev part by seed, as for every labelled set."""
    for name in ("train.tsv", "dev.tsv"):
        with _need(root / "korean_hate_speech" / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                text = row["comments"]
                if row["hate"] == "hate":
                    codes = ("S10",) if row["bias"] in ("gender", "others") else ("S15",)
                    yield SourceRow(text, True, "korean_hate_speech", label=f"hate/{row['bias']}", codes=codes)
                else:
                    yield SourceRow(text, False, "korean_hate_speech", label=row["hate"])


def apeach(root: Path) -> Iterator[SourceRow]:
    for row in _csv_rows(root / "apeach/apeach.csv"):
        topic = row["text_topic_eng"]
        if row["class"] == "Default":
            yield SourceRow(row["text"], False, "apeach", label=topic)
        elif topic in APEACH_CODES:
            yield SourceRow(row["text"], True, "apeach", label=topic, codes=APEACH_CODES[topic])


def square_questions(root: Path) -> Iterator[SourceRow]:
    """SQuARe's questions, sensitive or not: all safe to answer (the benign Korean questions)."""
    for name in ("square_question_valid.json", "square_question_test_ood.json"):
        for row in json.loads(_need(root / "korean_safety" / name).read_text("utf-8")):
            sensitive = "sensitive" if row.get("sensitive?") else "not sensitive"
            yield SourceRow(row["question"], False, "square", label=f"{sensitive}: {row.get('category') or 'none'}")


def multilingual_hatecheck(root: Path) -> Iterator[SourceRow]:
    files = sorted(_need(root / "multilingual_hatecheck").glob("hatecheck_cases_final_*.csv"))
    if not files:
        raise FileNotFoundError(f"no multilingual HateCheck files in {root / 'multilingual_hatecheck'}")
    for path in files:
        language = path.stem.removeprefix("hatecheck_cases_final_")
        for row in _csv_rows(path):
            template = (row.get("ref_templ_id") or row["templ_id"]).split(".")[0].strip()
            hateful = row["label_gold"] == "hateful"
            yield SourceRow(
                row["test_case"], hateful, "multilingual_hatecheck", label=f"{language}: {row['functionality']}",
                group=f"mhc:{language}:{template}", codes=("S10",) if hateful else (),
            )


KOREAN_SOURCES = {"kosbi": kosbi, "korean_hate_speech": korean_hate_speech, "apeach": apeach, "square": square_questions}
OTHER_LANGUAGE_SOURCES = {"multilingual_hatecheck": multilingual_hatecheck}
# Their dev parts: every Korean source and the composed Korean requests form the `korean` set;
# the other languages' composed requests and multilingual HateCheck form their own.
LANGUAGE_SUITES = {
    **{name: "korean" for name in KOREAN_SOURCES},
    "composed_ko": "korean",
    **{f"composed_{lang}": "multilingual" for lang in ("zh", "es", "fr", "de", "ar", "ja")},
    "multilingual_hatecheck": "multilingual_hatecheck",
}


def language_sources(languages: list[str]) -> dict:
    """The readers a build with `languages` adds: the Korean sets with "ko", multilingual
    HateCheck with any other language."""
    readers = dict(KOREAN_SOURCES) if "ko" in languages else {}
    if any(lang != "ko" for lang in languages):
        readers.update(OTHER_LANGUAGE_SOURCES)
    return readers
