"""The response-moderation part of `guardian data build`: judged answers for training the
response task, and its named dev sets, each fixed by seed and split by query group.

Dev sets (never trained on):
- `response_jbb`: every JailbreakBench attack artifact with a response (by behaviour; the
  behaviours are the prompt task's `jbb` set, so none of them is trained on);
- `response_diasafety`: DiaSafety's test split;
- `response_pyrit`: a seeded share of PyRIT's harm- and objective-scored responses, by objective;
- `refusal_pyrit`: the same share of PyRIT's refusal-scored responses, by objective.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from slm_guardian.data import response_sources as rs
from slm_guardian.data.config import DataConfig
from slm_guardian.data.keys import dedup_key, in_dev
from slm_guardian.data.rows import GuardExample, ResponseExample
from slm_guardian.errors import InvalidInput
from slm_guardian.taxonomy import Taxonomy

RESPONSE_TRAIN = "response_train.jsonl"
RESPONSE_SUITES = ("response_jbb", "response_diasafety", "response_pyrit", "refusal_pyrit")


@dataclass
class ResponseBuild:
    train: list[ResponseExample]
    suites: dict[str, list[ResponseExample]]
    dropped: Counter = field(default_factory=Counter)

    def parts(self) -> list[tuple[str, list[ResponseExample]]]:
        """(file name without .jsonl, rows) of every file the response task writes."""
        return [(RESPONSE_TRAIN.removesuffix(".jsonl"), self.train), *self.suites.items()]

    def counts(self) -> dict:
        def table(rows: list[ResponseExample]) -> dict:
            return {
                "rows": len(rows),
                "unsafe": sum(r.unsafe is True for r in rows),
                "safe": sum(r.unsafe is False for r in rows),
                "refusal_labelled": sum(r.refusal is not None for r in rows),
                "by_source": dict(sorted(Counter(r.source for r in rows).items())),
            }

        return {"response_train": table(self.train), **{name: table(rows) for name, rows in self.suites.items()}, "response_dropped": dict(self.dropped)}


def build_responses(root: Path, taxonomy: Taxonomy, config: DataConfig, prompt_train: list[GuardExample], is_jbb_copy, prompt_dev_keys: frozenset[str] = frozenset()) -> ResponseBuild:
    """`prompt_train`: the prompt task's training rows, whose composed safeguard replies are
    safe, declining answers to harmful queries. `is_jbb_copy(texts) -> list[bool]` marks the
    queries that restate a JBB behaviour (kept out of training, as in the prompt task).
    `prompt_dev_keys`: the dedup keys of the prompt task's dev texts, never trained on here."""
    root = Path(root)
    dropped: Counter = Counter()
    suites: dict[str, list[rs.ResponseRow]] = {name: [] for name in RESPONSE_SUITES}
    suites["response_jbb"] = list(rs.jbb_artifacts(root, taxonomy))
    suites["response_diasafety"] = list(rs.diasafety(root, "test"))
    pool: list[rs.ResponseRow] = []
    for row in rs.pyrit_harm(root):
        (suites["response_pyrit"] if in_dev(row.group, config.seed, config.response_dev_fraction) else pool).append(row)
    for row in rs.pyrit_refusal(root):
        (suites["refusal_pyrit"] if in_dev(row.group, config.seed, config.response_dev_fraction) else pool).append(row)

    suites = {name: _unique(_complete(rows, dropped), dropped, "duplicate_in_dev") for name, rows in suites.items()}
    rng = random.Random(config.seed)
    caps = config.response_caps
    sources: dict[str, list[rs.ResponseRow]] = {
        "diasafety": list(rs.diasafety(root, "train")),
        "coconot_pref": list(rs.coconot_pref(root)),
        "alpaca_outputs": list(rs.alpaca_outputs(root)),
        "adv_refusals": list(rs.adv_training_refusals(root)),
        "composed_refusals": [
            rs.ResponseRow(ex.text, ex.response, False, (), True, "composed_refusals", ex.group)
            for ex in prompt_train
            if ex.unsafe and ex.response
        ],
    }
    for name, rows in sources.items():
        pool.extend(_capped(rows, caps.get(name), rng))
    pool.extend(rs.off_topic_answers(sources["alpaca_outputs"] + sources["coconot_pref"], caps.get("off_topic_answers", 0), rng))
    if config.generated_answers:
        # Drawn after every other source, so that naming the file leaves the rest of the build as it was.
        generated = list(rs.generated_answers(Path(config.generated_answers)))
        pool.extend(_capped(generated, caps.get("generated_answers"), rng))
        pool.extend(rs.off_topic_answers(generated, caps.get("generated_off_topic", 0), rng, "generated_off_topic"))

    pool = _complete(pool, dropped)
    dev_queries = {dedup_key(r.query) for rows in suites.values() for r in rows}
    dev_groups = {r.group for rows in suites.values() for r in rows}
    outside_dev = [r for r in pool if dedup_key(r.query) not in dev_queries and r.group not in dev_groups]
    dropped["dev_query"] = len(pool) - len(outside_dev)
    # The prompt task's dev texts stay out too: a response row trains on its query's text.
    outside_prompt_dev = [r for r in outside_dev if dedup_key(r.query) not in prompt_dev_keys]
    dropped["prompt_dev_query"] = len(outside_dev) - len(outside_prompt_dev)
    outside_dev = outside_prompt_dev
    train = _unique(outside_dev, dropped, "duplicate")
    copies = is_jbb_copy([r.query for r in train])
    dropped["jbb_copy"] = int(sum(copies))
    train = [r for r, copy in zip(train, copies) if not copy]
    rng.shuffle(train)
    excluded = set(config.response_exclude)
    kinds = [f"{r.source}:{r.label}" for r in train]
    unmatched = excluded - set(kinds)
    if unmatched:
        raise ValueError(f"response_exclude: no response training row is {sorted(unmatched)} (source:label, e.g. diasafety:Biased Opinion)")
    kept = [r for r, kind in zip(train, kinds) if kind not in excluded]
    dropped["excluded"] = len(train) - len(kept)
    train = kept
    return ResponseBuild(
        train=[_example(r) for r in train],
        suites={name: [_example(r) for r in rows] for name, rows in suites.items()},
        dropped=dropped,
    )


def _capped(rows: list[rs.ResponseRow], cap: int | None, rng: random.Random) -> list[rs.ResponseRow]:
    """`rows`, or `cap` of them drawn by `rng` when there are more (no cap: all)."""
    return rows if cap is None or len(rows) <= cap else rng.sample(rows, cap)


def _complete(rows: list[rs.ResponseRow], dropped: Counter) -> list[rs.ResponseRow]:
    """`rows` that have both a query and an answer: an empty turn has nothing to judge
    (DiaSafety holds a few), so it is counted in `dropped["empty_turn"]`, not kept."""
    kept = [r for r in rows if r.query.strip() and r.answer.strip()]
    dropped["empty_turn"] += len(rows) - len(kept)
    return kept


def _unique(rows: list[rs.ResponseRow], dropped: Counter, reason: str) -> list[rs.ResponseRow]:
    """`rows` without repeated (query, answer) pairs, first kept (PyRIT's mini sets repeat its
    full ones); each repeat counted in `dropped[reason]`."""
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (dedup_key(row.query), dedup_key(row.answer))
        if key in seen:
            dropped[reason] += 1
        else:
            seen.add(key)
            out.append(row)
    return out


def _example(row: rs.ResponseRow) -> ResponseExample:
    return ResponseExample(row.query, row.answer, row.unsafe, list(row.codes), row.refusal, row.source, row.group, row.label)


def read_response_examples(path: str | Path) -> list[ResponseExample]:
    with Path(path).open(encoding="utf-8") as handle:
        examples = [ResponseExample.from_json(json.loads(line)) for line in handle if line.strip()]
    for number, example in enumerate(examples, 1):
        if not example.query.strip() or not example.answer.strip():
            raise InvalidInput(f"{path}: row {number} has an empty query or answer; rebuild the data with `guardian data build`")
    return examples
