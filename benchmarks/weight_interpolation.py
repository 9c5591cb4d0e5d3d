"""Weight-space interpolation between a warm-started adapter and the adapter it started from.

WiSE-FT (Wortsman et al., 2022): a fine-tune that drifted from its starting point on the old
task often keeps most of its new skill at a point on the straight line between the two weight
sets. For LoRA the line is exact with twice the rank: (1-a)*B0@A0 + a*B1@A1 is the product of
[(1-a)*B0, a*B1] and [A0; A1]. The guard-token rows are interpolated row by row; rows only the
fine-tune has (the tokens its task added) are taken from it.

    python benchmarks/weight_interpolation.py build/response-generated-4k-diasafety --alpha 0.5 --out build/wise-0.5

The start adapter defaults to the fine-tune's `init_adapter` (its training record).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

_TOKEN_ROWS = "trainable_tokens_delta"


def interpolate(start: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor], alpha: float) -> dict[str, torch.Tensor]:
    if set(start) != set(tuned):
        raise SystemExit(f"the adapters hold different tensors: {sorted(set(start) ^ set(tuned))[:3]}")
    out: dict[str, torch.Tensor] = {}
    for key, b in tuned.items():
        a = start[key]
        dtype = b.dtype
        a, b = a.float(), b.float()
        if key.endswith(_TOKEN_ROWS):
            rows = b.clone()
            rows[: a.shape[0]] = (1 - alpha) * a + alpha * b[: a.shape[0]]
            out[key] = rows.to(dtype)
        elif ".lora_A." in key:
            out[key] = torch.cat([a, b], dim=0).to(dtype)
        elif ".lora_B." in key:
            out[key] = torch.cat([(1 - alpha) * a, alpha * b], dim=1).to(dtype)
        else:
            raise SystemExit(f"do not know how to interpolate {key}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tuned", type=Path, help="the fine-tuned adapter folder")
    parser.add_argument("--start", type=Path, help="the adapter it started from (default: its record's init_adapter)")
    parser.add_argument("--alpha", type=float, required=True, help="0 = the start adapter, 1 = the fine-tune")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if not 0.0 <= args.alpha <= 1.0:
        parser.error("--alpha must be in [0, 1]")
    record = json.loads((args.tuned / "training_record.json").read_text(encoding="utf-8"))
    start_dir = args.start or Path(record["config"]["init_adapter"])
    config = json.loads((args.tuned / "adapter_config.json").read_text(encoding="utf-8"))
    if json.loads((start_dir / "adapter_config.json").read_text(encoding="utf-8"))["r"] != config["r"]:
        parser.error("the two adapters have different LoRA ranks")
    weights = interpolate(load_file(start_dir / "adapter_model.safetensors"), load_file(args.tuned / "adapter_model.safetensors"), args.alpha)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("guard_format.json", "README.md"):
        if (args.tuned / name).is_file():
            shutil.copy(args.tuned / name, args.out / name)
    # twice the rank at the same alpha/r keeps the LoRA scale of both inputs
    config.update(r=2 * config["r"], lora_alpha=2 * config["lora_alpha"])
    (args.out / "adapter_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    save_file(weights, str(args.out / "adapter_model.safetensors"))
    record["interpolation"] = {"start": str(start_dir), "tuned": str(args.tuned), "alpha": args.alpha}
    (args.out / "training_record.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"wrote {args.out}: {args.alpha:g} of {args.tuned} over {start_dir}, rank {config['r']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
