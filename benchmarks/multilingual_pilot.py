"""The multilingual base pilot (issue 27): how each packaged base tokenizes the languages the
guard must read, and what a training step costs, on the same rows in one process.

    python benchmarks/multilingual_pilot.py [--data build/data-multilingual] [--bases smollm2-135m,gemma3-270m,qwen2.5-coder-0.5b] [--steps 3]

Prints, per base: tokens per sentence for each language's composed requests (and Korean's
human-labelled sets), and seconds per training step (bfloat16 autocast, batch 16, the
shipped LoRA shape) over the same seeded batches of the multilingual build's training rows.
Research code: the optimizer steps at a tiny learning rate and nothing is saved.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

import torch

from slm_guardian.data.build import read_examples
from slm_guardian.data.localized_replies import language_of_source
from slm_guardian.model.format import GuardFormat
from slm_guardian.taxonomy import Taxonomy
from slm_guardian.training.config import TrainConfig
from slm_guardian.training.train import batches, collate, encode, lora_model, target_weight, weighted_loss

KOREAN_SETS = ("kosbi", "korean_hate_speech", "apeach", "square")


def tokens_per_sentence(tokenizer, examples) -> dict[str, float]:
    lengths = defaultdict(list)
    for ex in examples:
        lang = language_of_source(ex.source) or ("ko" if ex.source in KOREAN_SETS else None)
        if lang or ex.source in ("alpaca", "synthetic_borderline"):
            lengths[lang or "en"].append(len(tokenizer(ex.text, add_special_tokens=False)["input_ids"]))
    return {lang: statistics.mean(values) for lang, values in sorted(lengths.items())}


def step_seconds(config: TrainConfig, base: str, examples, steps: int) -> float:
    """Mean seconds per step over `steps` steps after one warm-up, the same seeded batches for
    every base (as benchmarks/train_step_precision.py measures them)."""
    taxonomy = Taxonomy.default()
    model, tokenizer = lora_model(config, base, taxonomy)
    model.train()
    fmt = GuardFormat(tokenizer, taxonomy.codes, config.max_query_tokens)
    plan = batches(encode(examples[:2000], fmt, config, taxonomy), config.batch_size, random.Random(1))[: steps + 1]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-6)
    times = []
    for i, batch in enumerate(plan):
        started = time.perf_counter()
        ids, mask, weights, labels = collate(batch, fmt.ids.eos, torch.device("cpu"))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = weighted_loss(model, ids, mask, weights, labels, total_weight=target_weight(batch))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if i:
            times.append(time.perf_counter() - started)
    return statistics.mean(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("build/data-multilingual"))
    parser.add_argument("--bases", default="smollm2-135m,gemma3-270m,qwen2.5-coder-0.5b")
    parser.add_argument("--steps", type=int, default=3, help="timed training steps per base (0: tokenizers only)")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from slm_guardian.model.base import resolve_base

    examples = read_examples(args.data / "train.jsonl")
    random.Random(0).shuffle(examples)
    config = TrainConfig.from_yaml(Path("configs/experiments/policy-bf16.yaml"))
    for base in args.bases.split(","):
        tokenizer = AutoTokenizer.from_pretrained(resolve_base(base))
        counts = tokens_per_sentence(tokenizer, examples)
        line = ", ".join(f"{lang} {n:.1f}" for lang, n in counts.items())
        print(f"{base}: vocabulary {len(tokenizer):,}; tokens per sentence: {line}", flush=True)
        if args.steps:
            print(f"{base}: {step_seconds(config, base, examples, args.steps):.2f} s per training step (batch {config.batch_size}, bfloat16)", flush=True)


if __name__ == "__main__":
    main()
