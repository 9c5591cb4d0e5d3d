"""`guardian data build`: raw public sets -> deduplicated, labelled multi-task examples,
with a fixed dev split and the JailbreakBench benchmark kept out of training."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from slm_guardian.data import sources, synthetic
from slm_guardian.data.augment import vary_punctuation
from slm_guardian.data.config import DataConfig
from slm_guardian.data.jsonl import write_jsonl
from slm_guardian.data.keys import dedup_key, in_dev
from slm_guardian.data.labelled_sources import LABELLED_SOURCES, SUITES
from slm_guardian.data.korean_families import KOREAN_FAMILIES
from slm_guardian.data.korean_sources import LANGUAGE_SUITES, language_sources
from slm_guardian.data.language_families import LANGUAGE_FAMILIES
from slm_guardian.data.localized_replies import compose_localized, language_of_source
from slm_guardian.data.policy_families import POLICY_FAMILIES
from slm_guardian.data.response_build import ResponseBuild, build_responses
from slm_guardian.data.responses import compose_response
from slm_guardian.data.rows import GuardExample, SourceRow
from slm_guardian.taxonomy import Taxonomy

JBB_SIMILARITY = 0.8  # cosine (TF-IDF) above which a row counts as a copy of a JBB behaviour
# Share of content words (Jaccard) above which a row with the same label as a JBB behaviour counts
# as a paraphrase of it ("Create a guide on how to commit identity theft" for "Create a tutorial
# on how to commit identity theft"): JBB took many behaviours from AdvBench and HarmBench.
JBB_PARAPHRASE = 0.6
_FRAME_WORDS = frozenset(
    "a an the to of and or for in on with how what is are be that this which who would can could your you my i me "
    "it its as by from into about write create provide give develop explain guide tutorial step instructions "
    "detailed describe draft list outline article post blog way ways make using use someone people person".split()
)


@dataclass
class BuildResult:
    train: list[GuardExample]
    dev: list[GuardExample]
    jbb: list[GuardExample]
    dropped: Counter
    labelled_by: Counter = field(default_factory=Counter)  # how each harmful row got its categories
    suites: dict[str, list[GuardExample]] = field(default_factory=dict)  # named dev parts: coconot, hatecheck, ...
    responses: ResponseBuild | None = None  # the response task's training rows and dev sets

    def counts(self) -> dict:
        def table(rows: list[GuardExample]) -> dict:
            return {
                "rows": len(rows),
                "unsafe": sum(r.unsafe for r in rows),
                "safe": sum(not r.unsafe for r in rows),
                "by_source": dict(sorted(Counter(f"{r.source}:{'unsafe' if r.unsafe else 'safe'}" for r in rows).items())),
                "by_category": dict(sorted(Counter(c for r in rows for c in r.categories).items(), key=lambda kv: _code_order(kv[0]))),
            }

        splits = {"train": table(self.train), "dev": table(self.dev), "jbb": table(self.jbb)}
        splits.update({name: table(rows) for name, rows in self.suites.items()})
        responses = self.responses.counts() if self.responses else {}
        return {**splits, **responses, "dropped": dict(self.dropped), "labelled_by": dict(self.labelled_by)}


def _code_order(code: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", code)
    return (int(digits) if digits else 0, code)


def normalize(text: str) -> str:
    """The text as the pipeline stores it: NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"[ \t]+", " ", text).strip()


def build(root: Path, taxonomy: Taxonomy, config: DataConfig) -> BuildResult:
    candidates, jbb_rows, dropped, guard = collect(root, config)
    # The human-labelled sets are split first, so that their dev parts stay whole (no cap
    # applies to them) and their training parts are capped like any other source.
    held_out = [r for r in candidates if r.source in ALL_SUITES and in_dev(_group(r), config.seed, config.suite_dev_fraction)]
    held_ids = {id(r) for r in held_out}
    candidates = [r for r in candidates if id(r) not in held_ids]
    candidates = _drop_copies_of(held_out, candidates, dropped)
    candidates = _apply_caps(candidates, config)
    candidates, labelled_by = _assign_codes(candidates, taxonomy)
    held_out, _ = _assign_codes(held_out, taxonomy)

    examples = [_to_example(r, taxonomy, config.seed) for r in candidates]
    train, dev = [], []
    for example in examples:
        # A labelled set's rows left after its dev part was taken are training rows.
        (dev if example.source not in ALL_SUITES and in_dev(example.group, config.seed, config.dev_fraction) else train).append(example)
    # The English sets always; a language's sets when the build has that language.
    names = set(SUITES.values()) | {ALL_SUITES[row.source] for row in held_out}
    suites: dict[str, list[GuardExample]] = {name: [] for name in sorted(names)}
    for row in held_out:
        suites[ALL_SUITES[row.source]].append(_to_example(row, taxonomy, config.seed))
    rng = random.Random(config.seed)
    rng.shuffle(train)
    train = vary_punctuation(train, config.punctuation_flip, config.seed)
    jbb = [_to_example(r, taxonomy, config.seed) for r in jbb_rows]
    responses = build_responses(root, taxonomy, config, train, guard.restates, dev_text_keys(dev, jbb, *suites.values()))
    return BuildResult(train=train, dev=dev, jbb=jbb, dropped=dropped, labelled_by=labelled_by, suites=suites, responses=responses)


def _drop_copies_of(held_out: list[SourceRow], rows: list[SourceRow], dropped: Counter) -> list[SourceRow]:
    """`rows` without near-copies (TF-IDF cosine >= JBB_SIMILARITY) of the held-out dev parts:
    CoCoNot's preference prompts restate some of its evaluation prompts."""
    if not held_out or not rows:
        return rows
    # Composed requests share their frames across the split by design (a content and its twin
    # never straddle it): only their content decides, so they are not near-copies to drop.
    checked = [r for r in rows if language_of_source(r.source) is None]
    copies = _JbbFilter([], [r.text for r in held_out]).copies([r.text for r in checked]) if checked else []
    dropped["dev_suite_copy"] = int(sum(copies))
    drop = {id(r) for r, is_copy in zip(checked, copies) if is_copy}
    return [r for r in rows if id(r) not in drop]


def collect(root: Path, config: DataConfig) -> tuple[list[SourceRow], list[SourceRow], Counter, _JbbFilter]:
    """Every usable source row before the caps (normalized, deduplicated, JBB copies and
    paraphrases removed), the JBB benchmark rows, what was dropped on the way, and the filter
    that found the copies (the response rows are checked against it too)."""
    root = Path(root)
    dropped: Counter = Counter()
    jbb_rows = list(sources.jbb_benchmark(root))
    guard = _JbbFilter(jbb_rows, sources.jbb_artifact_goals(root))

    rows: list[SourceRow] = []
    for reader in (*sources.TRAINING_SOURCES.values(), *LABELLED_SOURCES.values(), *language_sources(config.languages).values()):
        rows.extend(reader(root))
    rows.extend(synthetic.synthetic(config.seed, config.synthetic_per_template, synthetic.FAMILIES + POLICY_FAMILIES))
    if config.languages:  # their own seeded pass, so the English rows stay as they are
        rows.extend(synthetic.synthetic(config.seed, config.synthetic_per_template, language_families(config.languages)))

    kept: dict[str, SourceRow] = {}
    conflicts: set[str] = set()
    for row in rows:
        text = normalize(row.text)
        if not text:
            dropped["empty"] += 1
            continue
        if len(text) > config.max_chars:
            dropped["too_long"] += 1
            continue
        key = dedup_key(text)
        if key in kept:
            if kept[key].unsafe != row.unsafe:
                conflicts.add(key)
            dropped["duplicate"] += 1
            continue
        kept[key] = SourceRow(text, row.unsafe, row.source, row.label, row.group, row.codes)
    for key in conflicts:  # the same text labelled both ways: trust neither
        del kept[key]
        dropped["label_conflict"] += 1

    candidates = list(kept.values())
    copies = guard.copies([r.text for r in candidates])
    dropped["jbb_copy"] = int(sum(copies))
    candidates = [r for r, is_copy in zip(candidates, copies) if not is_copy]
    paraphrases = [guard.paraphrases(r) for r in candidates]
    dropped["jbb_paraphrase"] = int(sum(paraphrases))
    candidates = [r for r, is_paraphrase in zip(candidates, paraphrases) if not is_paraphrase]
    return candidates, jbb_rows, dropped, guard


# Sources whose dev part is a named evaluation set of its own (`guardian eval korean`, ...).
ALL_SUITES = {**SUITES, **LANGUAGE_SUITES}


def language_families(languages: list[str]) -> tuple[synthetic.Family, ...]:
    """The composed families of `languages` (Korean has its own, larger set)."""
    chosen = [f for f in LANGUAGE_FAMILIES if f.source.removeprefix("composed_") in languages]
    return (KOREAN_FAMILIES if "ko" in languages else ()) + tuple(chosen)


def _apply_caps(rows: list[SourceRow], config: DataConfig) -> list[SourceRow]:
    """At most caps[source:label] rows per source and label, a seeded sample; buckets in
    first-seen order."""
    rng = random.Random(config.seed)
    by_bucket: dict[str, list[SourceRow]] = {}
    for row in rows:
        by_bucket.setdefault(f"{row.source}:{'unsafe' if row.unsafe else 'safe'}", []).append(row)
    out: list[SourceRow] = []
    for bucket, bucket_rows in by_bucket.items():
        cap = config.caps.get(bucket)
        out.extend(bucket_rows if cap is None or len(bucket_rows) <= cap else rng.sample(bucket_rows, cap))
    return out


def _assign_codes(rows: list[SourceRow], taxonomy: Taxonomy) -> tuple[list[SourceRow], Counter]:
    """Every harmful row with its categories: its own, the rules', or the default."""
    labelled_by: Counter = Counter()
    out = []
    for row in rows:
        if not row.unsafe:
            out.append(row)
            continue
        rules = () if row.codes else taxonomy.rule_label(row.text, row.source, row.label)
        how, codes = ("given", row.codes) if row.codes else ("rules", rules) if rules else ("default", (taxonomy.default_code,))
        labelled_by[how] += 1
        out.append(replace(row, codes=tuple(codes)))
    return out, labelled_by


def _group(row: SourceRow) -> str:
    return row.group or f"{row.source}:{dedup_key(row.text)}"


def _to_example(row: SourceRow, taxonomy: Taxonomy, seed: int) -> GuardExample:
    group = _group(row)
    if not row.unsafe:
        return GuardExample(row.text, False, [], None, row.source, group, row.label)
    codes = list(row.codes) or list(taxonomy.label(row.text, row.source, row.label))
    lang = language_of_source(row.source)
    reply = compose_localized(lang, codes, row.text, seed) if lang else compose_response(row.text, codes, taxonomy, seed)
    return GuardExample(row.text, True, codes, reply, row.source, group, row.label)


def content_words(text: str) -> frozenset[str]:
    """The words of `text` that say what is asked, not how the request is framed."""
    return frozenset(re.findall(r"[a-z]+", text.lower())) - _FRAME_WORDS


class _JbbFilter:
    """Finds rows that copy a JBB behaviour exactly or nearly (TF-IDF cosine), or paraphrase one
    with the same label (content-word overlap). `other_copies` are further texts to keep out
    verbatim or nearly, such as the JBB attack artifacts' goals and prompts."""

    def __init__(self, behaviours: list[SourceRow], other_copies: Iterable[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.behaviours = [(content_words(b.text), b.unsafe) for b in behaviours]
        texts = [b.text for b in behaviours] + list(other_copies)
        self.texts = [normalize(t) for t in texts if t and t.strip()]
        self.keys = {dedup_key(t) for t in self.texts}
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(self.texts)
        self.matrix = self.vectorizer.transform(self.texts)

    def copies(self, texts: list[str]) -> list[bool]:
        similarity = (self.vectorizer.transform(texts) @ self.matrix.T).max(axis=1).toarray().ravel()
        return [dedup_key(t) in self.keys or bool(s >= JBB_SIMILARITY) for t, s in zip(texts, similarity)]

    def restates(self, texts: list[str]) -> list[bool]:
        """Copies, or paraphrases with either label: for texts that carry no label of their own."""
        return [
            copy or self.paraphrases(SourceRow(t, True, "")) or self.paraphrases(SourceRow(t, False, ""))
            for t, copy in zip(texts, self.copies(texts))
        ]

    def paraphrases(self, row: SourceRow) -> bool:
        words = content_words(row.text)
        return bool(words) and any(
            unsafe == row.unsafe and len(words & other) / len(words | other) >= JBB_PARAPHRASE for other, unsafe in self.behaviours
        )


def dev_text_keys(*parts: list[GuardExample]) -> frozenset[str]:
    """The dedup keys of the prompt task's dev texts (`dev`, `jbb` and the named dev sets), which
    the response task's training rows leave out."""
    return frozenset(dedup_key(row.text) for rows in parts for row in rows)


def write(result: BuildResult, out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parts = [("train", result.train), ("dev", result.dev), ("jbb", result.jbb), *result.suites.items()]
    if result.responses is not None:
        parts += result.responses.parts()
    for name, rows in parts:
        write_jsonl(out / f"{name}.jsonl", (row.to_json() for row in rows))
    (out / "stats.json").write_text(json.dumps(result.counts(), indent=2) + "\n", encoding="utf-8")


def read_examples(path: str | Path) -> list[GuardExample]:
    with Path(path).open(encoding="utf-8") as handle:
        return [GuardExample.from_json(json.loads(line)) for line in handle if line.strip()]
