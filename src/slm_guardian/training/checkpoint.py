"""Save and restore a LoRA run mid-way, so a run longer than a session can be split."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from slm_guardian.data.rows import GuardExample, ResponseExample
from slm_guardian.training.config import TrainConfig

CHECKPOINT_FILE = "checkpoint.pt"


@dataclass
class TrainingProgress:
    """Where a run stands: steps done, tokens and losses so far, and training time spent."""

    step: int = 0
    tokens_seen: int = 0
    losses: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    segments: int = 0  # how many times the run was resumed


def fingerprint(
    config: TrainConfig, base_model: str | None, examples: list[GuardExample], steps: int, responses: list[ResponseExample] | None = None
) -> str:
    """What must not change between the segments of one run: config, base, data and plan length."""
    digest = hashlib.sha256()
    digest.update(json.dumps([config.model_dump(), str(base_model), steps], sort_keys=True).encode())
    for ex in examples:
        digest.update(json.dumps([ex.text, ex.unsafe, ex.categories, ex.response]).encode())
    for r in responses or []:
        digest.update(json.dumps([r.query, r.answer, r.unsafe, r.categories, r.refusal]).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """The checkpoint file of one run, tied to that run's fingerprint."""

    path: Path
    run: str

    def save(self, model, optimizer, schedule, progress: TrainingProgress) -> None:
        trainable = {name for name, p in model.named_parameters() if p.requires_grad}
        state = {
            "run": self.run,
            "progress": asdict(progress),
            "trainable": {k: v for k, v in model.state_dict().items() if k in trainable},
            "optimizer": optimizer.state_dict(),
            "schedule": schedule.state_dict(),
            "torch_rng": torch.get_rng_state(),  # dropout masks continue as in one unbroken run
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_suffix(".partial")
        torch.save(state, staging)
        os.replace(staging, self.path)  # a kill mid-save leaves the previous checkpoint whole

    def _read(self) -> dict:
        if not self.path.is_file():
            raise ValueError(f"nothing to resume: no {self.path.name} in {self.path.parent}")
        return torch.load(self.path, weights_only=False)

    def _restore(self, model, state: dict) -> None:
        missing = set(state["trainable"]) - set(model.state_dict())
        if missing:
            raise ValueError(f"{self.path} holds weights this model lacks: {sorted(missing)[:3]}")
        try:
            model.load_state_dict(state["trainable"], strict=False)
        except RuntimeError as exc:  # shapes differ: another base model or LoRA rank
            raise ValueError(f"{self.path} does not fit this model (another base model or LoRA settings?): {str(exc)[:200]}") from None

    def restore_weights(self, model) -> TrainingProgress:
        """Only the trained weights, into a model built as the run built it (its run is not checked)."""
        state = self._read()
        self._restore(model, state)
        return TrainingProgress(**state["progress"])

    def load(self, model, optimizer, schedule) -> TrainingProgress:
        state = self._read()
        if state["run"] != self.run:
            raise ValueError(f"{self.path} belongs to another run: the config, base model or training data differ")
        self._restore(model, state)
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["torch_rng"])
        progress = TrainingProgress(**state["progress"])
        progress.segments += 1
        return progress

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
