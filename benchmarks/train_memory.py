"""How much memory does a CPU training run take, with and without `--max-batch-tokens`?

    python benchmarks/train_memory.py [--config configs/experiments/joint-bf16.yaml] [--data build/data] [--steps 100] [--max-batch-tokens 4096] [--trim]

Runs the first `--steps` steps of the config's training twice, each in a fresh process: whole
batches, and batches run in parts of at most `--max-batch-tokens` padded tokens (the same
steps); with `--trim`, a third run with whole batches that hands freed heap pages back to the
system (glibc `malloc_trim`) every 10 steps. Samples resident memory every second. Prints a
table; writes nothing outside a temporary folder.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil


def _run_one(config_path: Path, data: Path, steps: int, cap: int | None, trim: bool) -> dict:
    from slm_guardian.data.build import read_examples
    from slm_guardian.data.response_build import RESPONSE_TRAIN, read_response_examples
    from slm_guardian.training import train as train_module
    from slm_guardian.training.config import TrainConfig

    if trim:
        libc, optimizer_step = ctypes.CDLL("libc.so.6"), train_module.torch.optim.AdamW.step
        calls = [0]

        def step_and_trim(self, *a, **k):
            calls[0] += 1
            out = optimizer_step(self, *a, **k)
            if calls[0] % 10 == 0:
                libc.malloc_trim(0)
            return out

        train_module.torch.optim.AdamW.step = step_and_trim
    config = TrainConfig.from_yaml(config_path)
    examples = read_examples(data / "train.jsonl")
    responses = read_response_examples(data / RESPONSE_TRAIN) if config.judge_responses else None
    samples: list[float] = []
    done = threading.Event()
    process = psutil.Process()

    def sample() -> None:
        while not done.is_set():
            samples.append(process.memory_info().rss / 2**20)
            time.sleep(1.0)

    threading.Thread(target=sample, daemon=True).start()
    started = time.time()
    with tempfile.TemporaryDirectory() as out:
        train_module.train(config, examples, Path(out), max_steps=steps, device="cpu", response_examples=responses, max_batch_tokens=cap)
    wall = time.time() - started
    done.set()
    return {"cap": cap, "trim": trim, "steps": steps, "s_per_step": wall / steps, "rss_first_mb": samples[len(samples) // 10], "rss_peak_mb": max(samples), "rss_end_mb": samples[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("configs/experiments/joint-bf16.yaml"))
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--max-batch-tokens", type=int, default=4096)
    parser.add_argument("--trim", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # "whole", "cap" or "trim": one run, in this process
    args = parser.parse_args()
    if args.one:
        cap = args.max_batch_tokens if args.one == "cap" else None
        print(json.dumps(_run_one(args.config, args.data, args.steps, cap, args.one == "trim")))
        return
    rows = []
    for variant in ("whole", "cap", *(("trim",) if args.trim else ())):
        command = [sys.executable, __file__, "--config", str(args.config), "--data", str(args.data), "--steps", str(args.steps),
                   "--max-batch-tokens", str(args.max_batch_tokens), "--one", variant]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    print(f"{args.config}, first {args.steps} steps, each variant in a fresh process (RSS sampled every second)")
    print("| batches | s/step | RSS at 10% of the run (MB) | peak RSS (MB) | RSS at the end (MB) |")
    print("|---|---|---|---|---|")
    for r in rows:
        name = f"parts of <= {r['cap']} tokens" if r["cap"] else "whole, heap trimmed every 10 steps" if r["trim"] else "whole"
        print(f"| {name} | {r['s_per_step']:.2f} | {r['rss_first_mb']:.0f} | {r['rss_peak_mb']:.0f} | {r['rss_end_mb']:.0f} |")


if __name__ == "__main__":
    main()
