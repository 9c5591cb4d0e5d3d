"""`guardian train`: fine-tune, checkpoint, resume and snapshot a run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from slm_guardian.cli.app import app
from slm_guardian.cli.common import fail, out, require


@app.command()
def train(
    config: Path = typer.Option(..., "--config", help="Training config YAML (configs/smollm2-135m.yaml)."),
    data: Path = typer.Option(Path("build/data"), "--data", help="Built data folder (train.jsonl), or the raw ../shared/data to build first."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to write the adapter (default build/adapters/<name>)."),
    base_model: Optional[str] = typer.Option(None, "--base-model", help="A packaged base (smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m: Gemma terms of use) or a Hugging Face causal-LM folder, instead of the config's base."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu or cuda (default: cuda when available)."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Stop after this many steps (smoke tests)."),
    checkpoint_every: Optional[int] = typer.Option(None, "--checkpoint-every", min=1, help="Save the training state to OUT/checkpoint.pt every N steps."),
    pause_after: Optional[int] = typer.Option(None, "--pause-after", min=1, help="Stop after step N with a checkpoint written; --resume continues."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run whose checkpoint is in --out (same config, data and base)."),
    max_batch_tokens: Optional[int] = typer.Option(None, "--max-batch-tokens", min=16, help="Run each batch in parts of at most N padded tokens: the same steps in less memory (a 0.5B base needs ~2048 on 24 GB)."),
    snapshot: Optional[Path] = typer.Option(None, "--snapshot", help="Do not train: save the unfinished run's checkpoint (in --out) as an adapter in this new folder, to evaluate the run before it ends."),
) -> None:
    """LoRA fine-tune the multi-task guard model.

    A run longer than a session can be split: --checkpoint-every keeps a checkpoint that survives
    a kill, --pause-after stops cleanly, and the same command with --resume goes on where it
    stopped and gives the same adapter. --snapshot turns the latest checkpoint into an adapter
    folder (for guardian eval or classify --adapter) and leaves the run as it was."""
    from slm_guardian.training.config import TrainConfig

    if not config.is_file():
        fail(f"config file {config} not found")
    try:
        cfg = TrainConfig.from_yaml(config)
    except (ValueError, TypeError) as exc:
        fail(str(exc))
    target = out_dir or Path("build/adapters") / cfg.name
    if snapshot is not None:
        _snapshot(cfg, target, snapshot, base_model)
        return
    train_file = _training_file(data, cfg)
    require("train", "sklearn")
    from slm_guardian.data.build import read_examples
    from slm_guardian.training.train import train as run_training
    from slm_guardian.training.checkpoint import CHECKPOINT_FILE

    examples = read_examples(train_file)
    responses = None
    if cfg.judge_responses:
        from slm_guardian.data.response_build import RESPONSE_TRAIN, read_response_examples

        response_file = train_file.parent / RESPONSE_TRAIN
        if not response_file.is_file():
            fail(f"judge_responses: true needs {response_file}: rebuild the data with `guardian data build`")
        responses = read_response_examples(response_file)
    if resume and not (target / CHECKPOINT_FILE).is_file():
        fail(f"nothing to resume: no {CHECKPOINT_FILE} in {target}")
    if not resume and (target / CHECKPOINT_FILE).is_file():
        fail(f"{target} holds an unfinished run: add --resume to continue it, or delete {target / CHECKPOINT_FILE} to start over")
    command = "guardian " + " ".join(a for a in sys.argv[1:] if a != "--resume")
    try:
        record = run_training(
            cfg, examples, target, base_model=base_model, device=device, command=command, max_steps=max_steps,
            checkpoint_every=checkpoint_every, pause_after=pause_after, resume=resume, max_batch_tokens=max_batch_tokens,
            response_examples=responses,
        )
    except ValueError as exc:
        fail(str(exc))
    if record is None:
        out.print(f"paused after step {pause_after}; continue with the same command and --resume")
        return
    out.print(f"adapter written to {target} in {record['wall_time_s']} s ({record['steps']} steps, {record['tokens_seen']} tokens)")


def _snapshot(cfg, run_dir: Path, folder: Path, base_model: str | None) -> None:
    from slm_guardian.training.train import adapter_from_checkpoint
    from slm_guardian.training.checkpoint import CHECKPOINT_FILE

    if not (run_dir / CHECKPOINT_FILE).is_file():
        fail(f"no unfinished run to snapshot: no {CHECKPOINT_FILE} in {run_dir}")
    if folder.exists() and any(folder.iterdir()):
        fail(f"{folder} already exists and is not empty; name a new folder for the snapshot")
    try:
        step = adapter_from_checkpoint(cfg, run_dir, folder, base_model)
    except ValueError as exc:
        fail(str(exc))
    out.print(f"the run in {run_dir} at step {step} saved as an adapter in {folder}")


def _training_file(data: Path, cfg) -> Path:
    if (data / "train.jsonl").is_file():
        return data / "train.jsonl"
    if (data / "advbench").is_dir():  # the raw shared data: build it first, same as `guardian data build`
        from slm_guardian.data.build import build, write
        from slm_guardian.data.config import DataConfig
        from slm_guardian.taxonomy import Taxonomy

        built = Path("build/data")
        tax = Taxonomy.from_yaml(cfg.taxonomy) if cfg.taxonomy else Taxonomy.default()
        data_cfg = DataConfig(**cfg.data) if cfg.data else DataConfig.from_yaml("configs/data.yaml")
        write(build(data, tax, data_cfg), built)
        return built / "train.jsonl"
    fail(f"--data {data} holds neither train.jsonl nor the raw shared data")
    raise AssertionError  # unreachable
