"""Prompt-task anchors: the response rows' texts, read as prompts, keep the starting adapter's
verdicts while the response task is trained on top of it.

Every joint adapter so far flagged harmless text about groups about twice as often as the
shipped prompt adapter: answers such as "I agree, but ..." in a rude dialogue are harmful *as
answers in their context*, and the shared weights learned "rough, group-themed text is
harmful" instead. An anchor is one of those queries or answers on its own, in the prompt
task's format, labelled with the verdict (and top category) the model gives it at step 0,
which is the init adapter exactly (a resumed run labels them again before loading its
checkpoint, so it gets the same anchors). The run then has to put the harm where the
response task's labels put it, on the answer in its context, and not move the prompt task's
decision on the same words (learning without forgetting, with the teacher's verdicts, or with
its probabilities: `anchor_targets`).
Anchors are drawn from training rows only, so no evaluation text is read. With the prompt
rows as a source too (`anchor_sources`), the teacher's verdicts can stand in for a replay of
the gold prompt labels; an anchor the teacher flags in its row's own category keeps the row's
composed reply, so the reply task is trained as well."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace

from tqdm import tqdm

from slm_guardian.data.keys import dedup_key
from slm_guardian.data.rows import GuardExample, ResponseExample
from slm_guardian.model.format import Example, GuardFormat
from slm_guardian.model.guard_model import GuardModel
from slm_guardian.model.scores import Scores, score_views
from slm_guardian.training.config import TrainConfig


def anchor_texts(
    examples: Sequence[ResponseExample], count: int, seed: int, prompts: Sequence[GuardExample] = (), every_row_of: Sequence[str] = ()
) -> list[str]:
    """`count` distinct texts (queries and answers of `examples`, and the texts of `prompts`),
    drawn by `seed`. The texts of prompt rows whose `source` is in `every_row_of` come first,
    all of them (drawn too if they alone are more than `count`); the rest is drawn from the others."""
    seen: dict[str, str] = {}
    for ex in examples:
        for text in (ex.query, ex.answer):
            if text.strip():
                seen.setdefault(dedup_key(text), text)
    required: dict[str, str] = {}
    for row in prompts:
        if row.text.strip():
            key = dedup_key(row.text)
            if row.source in every_row_of:
                required.setdefault(key, row.text)
            seen.setdefault(key, row.text)
    rng = random.Random(seed)
    chosen = rng.sample([required[key] for key in sorted(required)], min(count, len(required)))
    rest = [seen[key] for key in sorted(seen) if key not in required]
    return chosen + rng.sample(rest, min(count - len(chosen), len(rest)))


def anchor_examples(
    model,
    fmt: GuardFormat,
    texts: Sequence[str],
    verdict_weight: float,
    category_weight: float,
    batch_size: int = 32,
    replies: Mapping[str, GuardExample] | None = None,
    soft: bool = False,
) -> tuple[list[Example], list[Scores]]:
    """Prompt examples of `texts`, each labelled with `model`'s own verdict on the view
    training reads (`detection_ids`: the head and tail of a long text) and, when harmful, its
    top category; returns them with the scores they were labelled from. Detection-only, except
    where `replies` (keyed by `dedup_key`) holds the text's row and the verdict agrees with it:
    harmful, the top category among the row's, which then trains the row's reply. With `soft`
    each verdict is trained towards the model's P(harm) rather than its verdict token. Leaves
    the model in eval mode; the caller puts it back in training mode."""
    guard = GuardModel(model, fmt)
    views = [[fmt.detection_ids(text)] for text in texts]
    with tqdm(total=len(texts), desc="anchor verdicts", unit="text", dynamic_ncols=True) as progress:

        def score_batch(batch: list[list[int]]) -> list[Scores]:
            progress.update(len(batch))
            return guard.score_ids(batch)

        scores = score_views(views, batch_size, score_batch, max_tokens=batch_size * 160)
    examples = []
    for text, score in zip(texts, scores):
        unsafe = score.unsafe >= 0.5
        codes = [max(score.categories, key=score.categories.get)] if unsafe else []
        row = (replies or {}).get(dedup_key(text))
        reply = row.response if row is not None and unsafe and row.unsafe and row.response and codes[0] in row.categories else None
        example = fmt.training_example(
            text, unsafe, codes, reply, detection_only=reply is None, verdict_weight=verdict_weight, category_weight=category_weight
        )
        examples.append(replace(example, soft_verdict=score.unsafe) if soft else example)
    return examples, scores


def prompt_anchors(
    model, fmt: GuardFormat, config: TrainConfig, examples: Sequence[ResponseExample], prompts: Sequence[GuardExample] = ()
) -> tuple[list[Example], list[Scores]]:
    """The run's `config.anchor_prompts` anchors from its `config.anchor_sources`, labelled by
    `model` as it stands (at step 0, the init adapter); none when the config asks for none."""
    if not config.anchor_prompts:
        return [], []
    examples = examples if "responses" in config.anchor_sources else ()
    prompts = prompts if "prompts" in config.anchor_sources else ()
    texts = anchor_texts(examples, config.anchor_prompts, config.seed, prompts, config.anchor_every_row_of)
    replies = {dedup_key(row.text): row for row in prompts}
    soft = config.anchor_targets == "probability"
    return anchor_examples(model, fmt, texts, config.verdict_weight, config.category_weight, replies=replies, soft=soft)
