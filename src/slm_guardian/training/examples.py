"""The training rows as token sequences: the prompt task's (with the ablations' variants and
the swapped replies) and the response task's."""

from __future__ import annotations

import random
from dataclasses import replace

from slm_guardian.data.rows import GuardExample, ResponseExample
from slm_guardian.model.format import Example, GuardFormat
from slm_guardian.taxonomy import Taxonomy
from slm_guardian.training.config import TrainConfig


def encode_responses(examples: list[ResponseExample], fmt: GuardFormat, config: TrainConfig) -> list[Example]:
    """Token sequences of the response-judging task, their loss weights scaled by
    `config.response_weight`."""
    weights = dict(verdict_weight=config.verdict_weight, category_weight=config.category_weight, refusal_weight=config.refusal_weight)
    encoded = [fmt.response_training_example(ex.query, ex.answer, ex.unsafe, ex.categories, ex.refusal, **weights) for ex in examples]
    scale = config.response_weight
    return encoded if scale == 1.0 else [replace(ex, weights=[w * scale for w in ex.weights]) for ex in encoded]


def encode(examples: list[GuardExample], fmt: GuardFormat, config: TrainConfig, taxonomy: Taxonomy | None = None) -> list[Example]:
    """Token sequences for the configured task (the ablations drop one task's targets), with the
    replies `config.swapped_replies` swaps in place."""
    taxonomy = taxonomy or Taxonomy.default()
    swapped = {}
    if config.swapped_replies and config.task == "multitask":
        # seed + 1 keeps the draw of the runs that shipped (another share used seed itself)
        swapped = {id(ex): (code, response) for ex, code, response in category_swaps(examples, taxonomy, config.swapped_replies, config.seed + 1)}
    out = []
    for ex in examples:
        if config.task == "response" and not ex.unsafe:
            continue  # a response-only model never sees safe queries
        code, response = swapped.get(id(ex), (None, ex.response))
        out.append(
            fmt.training_example(
                ex.text,
                ex.unsafe,
                ex.categories,
                response,
                verdict_weight=config.verdict_weight,
                category_weight=config.category_weight,
                detection_only=config.task == "detection",
                reply_code=code,
            )
        )
    return out


def category_swaps(examples: list[GuardExample], taxonomy: Taxonomy, share: float, seed: int) -> list[tuple[GuardExample, str, str]]:
    """For a seeded `share` of the unsafe examples: another category and its composed reply."""
    from slm_guardian.data.responses import compose_response

    rng = random.Random(seed)
    unsafe = [ex for ex in examples if ex.unsafe]
    chosen = rng.sample(unsafe, round(share * len(unsafe)))
    out = []
    for ex in chosen:
        code = rng.choice([c for c in taxonomy.codes if c not in ex.categories])
        out.append((ex, code, compose_response(ex.text, [code], taxonomy, seed=seed)))
    return out
