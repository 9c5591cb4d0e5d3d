"""Seconds per training step in float32 and in bfloat16 autocast, the same batches in one
process, interleaved (the machine's speed drifts within minutes).

    python benchmarks/train_step_precision.py [--data build/data] [--batches 6] [--rounds 2]

Prints one line per round and precision. Research code: the optimizer steps at a tiny learning
rate, and no adapter is saved.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import torch

from slm_guardian.data.build import read_examples
from slm_guardian.model.format import GuardFormat
from slm_guardian.taxonomy import Taxonomy
from slm_guardian.training.config import TrainConfig
from slm_guardian.training.examples import encode
from slm_guardian.training.train import batches, collate, lora_model, target_weight, weighted_loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--config", type=Path, default=Path("configs/smollm2-135m.yaml"))
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    config = TrainConfig.from_yaml(args.config)
    taxonomy = Taxonomy.default()
    model, tokenizer = lora_model(config, config.base_model, taxonomy)
    model.train()
    fmt = GuardFormat(tokenizer, taxonomy.codes, config.max_query_tokens)
    examples = read_examples(args.data / "train.jsonl")
    random.Random(0).shuffle(examples)
    plan = batches(encode(examples[:2000], fmt, config, taxonomy), config.batch_size, random.Random(1))[: args.batches]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)

    def step(batch, bf16: bool) -> int:
        ids, mask, weights, labels = collate(batch, fmt.ids.eos, torch.device("cpu"))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = weighted_loss(model, ids, mask, weights, labels, total_weight=target_weight(batch))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return int(mask.sum())

    for round_ in range(args.rounds):
        for bf16 in (False, True):
            started = time.time()
            tokens = sum(step(b, bf16) for b in plan)
            elapsed = time.time() - started
            name = "bfloat16" if bf16 else "float32"
            print(f"round {round_} {name:>8}: {elapsed / len(plan):.2f} s/step, {tokens / elapsed:.0f} tokens/s", flush=True)


if __name__ == "__main__":
    main()
