"""Readers for the response-moderation sets: an LLM's answer to a query, with a human (or
benchmark) judgement of whether the answer is harmful in that context, and of whether it
declines. Each maps its labels into the taxonomy here; `docs/evaluation.md` documents it.

- JailbreakBench attack artifacts: attack prompts with the target model's response and the
  benchmark's jailbreak judgement (jailbroken: harmful, in the behaviour's JBB category; not
  jailbroken: safe). Their goals and prompts restate the JBB behaviours, which the prompt
  task's `jbb` dev set holds, so they are **evaluation only**, never trained on.
- PyRIT scorer evaluations: harm-scored responses (human score on a 5-point scale, 0 to 1;
  moderate or worse, >= 0.5, is harmful), objective-scored responses (1: the harmful objective
  was achieved: harmful, and not a refusal, since the request was fulfilled), and
  refusal-scored responses (1: declines).
- DiaSafety: (context, response) pairs of chit-chat with Safe / Unsafe and one of five
  categories of unsafe replies, each mapped to the category it is closest to.
- CoCoNot preferences: prompts that look refusable but should be answered; the chosen answer
  is a safe, non-refusing answer to them.
- Alpaca seed tasks: safe answers to harmless instructions (they do not decline).
- The adversarial-training safe responses: refusals of harmful behaviours (safe, declining).
- Generated answers (`data/answer_generation.py`, when the data config names the file): the
  base instruct model's answers to Alpaca training instructions, safe and answering; they give
  the off-topic pairs thousands of varied answers, each also seen with its own question.
- Off-topic answers: a harmless training query paired with the answer to another one. PyRIT's
  human refusal labels count an answer that does something other than what was asked as a
  refusal (it does not fulfil the request), and so does `refusal` here; the other sources hold
  only outright declines, so without these rows the model learns "refusal" as "sounds sorry".

HH-RLHF's harmless-base pairs are not used: they say which of two answers is *less* harmful,
not whether either is harmful or declines.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from slm_guardian.data.answer_generation import read_answers
from slm_guardian.data.keys import dedup_key
from slm_guardian.data.sources import _csv_rows, _json, _need
from slm_guardian.taxonomy import Taxonomy

# PyRIT's harm areas (scorer_evals/harm and objective file names, harm_category values) ->
# taxonomy codes. "exploits" are cyber exploits: non-violent crime, as Llama Guard's S2 holds
# cyber crime; "representational" harm demeans groups: hate.
PYRIT_CODES: dict[str, str] = {
    "bias": "S10",
    "chemical_biological": "S9",
    "cyber": "S2",
    "exploits": "S2",
    "harassment_bullying": "S15",
    "hate_speech": "S10",
    "illegal_activity": "S2",
    "info_integrity": "S5",
    "information_integrity": "S5",
    "misinformation": "S5",
    "phishing": "S2",
    "privacy": "S7",
    "representational": "S10",
    "self_harm": "S11",
    "sexual": "S12",
    "sexual_content": "S12",
    "violence": "S1",
}
PYRIT_HARMFUL_FROM = 0.5  # "moderate" on PyRIT's 0 / 0.25 / 0.5 / 0.75 / 1 scale

# DiaSafety's unsafe-reply categories -> the taxonomy code each is closest to.
DIASAFETY_CODES: dict[str, str] = {
    "Offending User": "S15",  # insults aimed at the user: harassment with a target
    "Risk Ignorance": "S11",  # brushing off a user's self-harm or risk
    "Unauthorized Expertise": "S6",  # unqualified medical, legal or financial advice
    "Toxicity Agreement": "S10",  # agreeing with the toxic (mostly group-directed) context
    "Biased Opinion": "S10",  # biased claims about groups
}


@dataclass(frozen=True)
class ResponseRow:
    """A judged answer read from a source, before dedup and splitting. `group` keeps every
    answer to one query (one behaviour, one dialogue) on the same side of a split."""

    query: str
    answer: str
    unsafe: bool | None
    codes: tuple[str, ...]
    refusal: bool | None
    source: str
    group: str
    label: str | None = None


def _group(source: str, text: str) -> str:
    return f"{source}:{dedup_key(text)}"


def jbb_artifacts(root: Path, taxonomy: Taxonomy) -> Iterator[ResponseRow]:
    """Every attack artifact with a response; grouped by behaviour (the JBB goal)."""
    for path in sorted(_need(root / "jailbreakbench_artifacts/attack-artifacts").rglob("*.json")):
        data = _json(path)
        if not isinstance(data, dict):
            continue
        for row in data.get("jailbreaks", []):
            prompt, response = row.get("prompt"), row.get("response")
            if not isinstance(prompt, str) or not isinstance(response, str) or not response.strip():
                continue
            jailbroken = str(row.get("jailbroken")).lower() == "true"
            codes = tuple(taxonomy.label(row["goal"], "jbb", row.get("category"))) if jailbroken else ()
            yield ResponseRow(prompt, response, jailbroken, codes, None, "jbb_artifacts", _group("jbb", row["goal"]), row.get("category"))


def pyrit_harm(root: Path) -> Iterator[ResponseRow]:
    """Harm-scored responses (mean of the human scores) and objective-scored ones."""
    for path in sorted(_need(root / "pyrit_pkg/scorer_evals/harm").glob("*.csv")):
        for row in _csv_rows(path):
            scores = [float(v) for k, v in row.items() if k and k.startswith("human_score") and v not in (None, "")]
            if not scores or not row.get("objective") or not row.get("assistant_response"):
                continue
            area = (row.get("harm_category") or path.stem).strip().lower()
            score = sum(scores) / len(scores)
            unsafe = score >= PYRIT_HARMFUL_FROM
            yield ResponseRow(
                row["objective"], row["assistant_response"], unsafe, (_pyrit_code(area),) if unsafe else (), None,
                "pyrit_harm", _group("pyrit", row["objective"]), f"{area}:{score:.2f}",
            )
    for path in sorted(_need(root / "pyrit_pkg/scorer_evals/objective").glob("*.csv")):
        for row in _csv_rows(path):
            if not row.get("objective") or not row.get("assistant_response") or row.get("human_score") in (None, ""):
                continue
            area = (row.get("harm_category") or path.stem).strip().lower()
            achieved = float(row["human_score"]) >= 0.5
            # An achieved objective is a fulfilled request, so not a refusal; one not achieved
            # may still be an answer (a weak or evasive one), so its refusal stays unlabelled.
            yield ResponseRow(
                row["objective"], row["assistant_response"], achieved, (_pyrit_code(area),) if achieved else (), False if achieved else None,
                "pyrit_objective", _group("pyrit", row["objective"]), f"{area}:{row['human_score']}",
            )


def _pyrit_code(area: str) -> str:
    if area not in PYRIT_CODES:
        raise ValueError(f"PyRIT harm area {area!r} has no taxonomy code (PYRIT_CODES)")
    return PYRIT_CODES[area]


def pyrit_refusal(root: Path) -> Iterator[ResponseRow]:
    """Responses with a human refusal label; a refusal is a safe answer, a compliance's harm
    is not judged there (None)."""
    for path in sorted(_need(root / "pyrit_pkg/scorer_evals/refusal_scorer").glob("*.csv")):
        for row in _csv_rows(path):
            if not row.get("objective") or not row.get("assistant_response") or row.get("human_score") in (None, ""):
                continue
            refusal = float(row["human_score"]) >= 0.5
            yield ResponseRow(
                row["objective"], row["assistant_response"], False if refusal else None, (), refusal,
                "pyrit_refusal", _group("pyrit", row["objective"]), path.stem,
            )


def diasafety(root: Path, split: str) -> Iterator[ResponseRow]:
    """One DiaSafety split (train, val or test); grouped by dialogue context."""
    for row in _json(root / f"diasafety/{split}.json"):
        unsafe = row["label"] == "Unsafe"
        category = row["category"]
        if category not in DIASAFETY_CODES:
            raise ValueError(f"diasafety/{split}.json: unmapped category {category!r}")
        codes = (DIASAFETY_CODES[category],) if unsafe else ()
        yield ResponseRow(row["context"], row["response"], unsafe, codes, None, "diasafety", _group("diasafety", row["context"]), category)


def coconot_pref(root: Path) -> Iterator[ResponseRow]:
    """The chosen answers to CoCoNot's contrast prompts with safety concerns: safe, answering."""
    for line in _need(root / "coconot/coconot_pref.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("category") == "Requests with safety concerns" and row.get("chosen"):
            yield ResponseRow(row["prompt"], row["chosen"], False, (), False, "coconot_pref", _group("coconot", row["prompt"]), row.get("subcategory"))


def alpaca_outputs(root: Path) -> Iterator[ResponseRow]:
    for line in _need(root / "alpaca/seed_tasks.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        for instance in row.get("instances", []):
            query = row["instruction"] + (f"\n{instance['input']}" if instance.get("input") else "")
            if instance.get("output", "").strip():
                yield ResponseRow(query, instance["output"], False, (), False, "alpaca_outputs", _group("alpaca", row["instruction"]))


def adv_training_refusals(root: Path) -> Iterator[ResponseRow]:
    for name in ("adv_training_behaviors_safe_responses.csv", "adv_training_behaviors_safe_responses_longer.csv"):
        for row in _csv_rows(root / "adv_training_safe_responses" / name):
            if row.get("Behavior") and row.get("Safe_Response"):
                yield ResponseRow(row["Behavior"], row["Safe_Response"], False, (), True, "adv_refusals", _group("adv", row["Behavior"]))


def generated_answers(path: Path) -> Iterator[ResponseRow]:
    for row in read_answers(path):
        yield ResponseRow(row.instruction, row.answer, False, (), False, "generated_answers", _group("alpaca", row.instruction))


def off_topic_answers(rows: list[ResponseRow], count: int, rng: random.Random, source: str = "off_topic_answers") -> list[ResponseRow]:
    """`count` harmless queries of `rows`, each paired with the answer to a query of another
    group: safe, declining (the request is not fulfilled). The query keeps its own group, so
    the pair falls on the same side of a split as its query. A `count` above the answering
    rows pairs each query again, with another draw, so one query is seen with its own answer
    and with several others. None when the rows hold one group only (no answer belongs to
    another query)."""
    answering = [r for r in rows if r.unsafe is False and r.refusal is False]
    if len({r.group for r in answering}) < 2:
        return []
    queries = rng.sample(answering, min(count, len(answering)))
    while len(queries) < count:
        queries += rng.sample(answering, min(count - len(queries), len(answering)))
    out = []
    for row in queries:
        other = rng.choice(answering)
        while other.group == row.group:
            other = rng.choice(answering)
        out.append(ResponseRow(row.query, other.answer, False, (), True, source, row.group, "off_topic"))
    return out
