"""Training configuration, read from YAML (configs/*.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

TASKS = ("multitask", "detection", "response")
TOKEN_INITS = ("random", "words")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a fine-tune; the same file and data reproduce the adapter."""

    name: str = "guardian"
    base_model: str = "smollm2-135m"
    taxonomy: str | None = None  # None: the packaged taxonomy
    task: str = "multitask"  # multitask | detection (verdict+categories) | response (replies only)
    seed: int = 13
    epochs: float = 1.0
    batch_size: int = 16
    learning_rate: float = 3e-4
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    max_query_tokens: int = 128
    verdict_weight: float = 2.0
    # Loss weight of each category token. One category token sits among ~50 reply tokens, so
    # at weight 1 the category head gets ~2% of an unsafe row's loss and drifts to the
    # majority category.
    category_weight: float = 1.0
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: list[str] | str = "all-linear"
    # Share of unsafe examples repeated with another, random category and that category's
    # reply, with loss on the reply only: teaches replies to follow the category token rather
    # than the majority category's wording (the categories themselves are not mislabelled).
    category_swaps: float = 0.0
    # Share of unsafe examples whose reply is swapped in place (no extra sequences): the reply
    # is written for another, random category whose token is fed before it, while the category
    # head's target stays the true category. Replies otherwise learn the reason from the query
    # and ignore the category token (benchmarks/reply_follows_category.py: a wrong category
    # token moved 1 of 54 replies' reasons). At 0.5 it did not fix that and weakened the
    # category head (README, "swapped replies"), so the shipped config leaves it off.
    swapped_replies: float = 0.0
    # Initial embedding rows of the guard tokens: "random" (std 0.02, what the shipped adapter
    # used), or "words" (the mean embedding of the words each token stands for: a category's
    # name and topic), so a category token fed to the reply is louder than a random row. Not yet
    # measured in a full run (README, "reason-first replies").
    token_init: str = "random"
    data: dict = field(default_factory=dict)  # passed to DataConfig when the data is built

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, not {self.task!r}")
        if self.epochs <= 0 or self.batch_size <= 0 or self.learning_rate <= 0:
            raise ValueError("epochs, batch_size and learning_rate must be positive")
        if self.verdict_weight <= 0 or self.category_weight <= 0:
            raise ValueError("verdict_weight and category_weight must be positive")
        if self.token_init not in TOKEN_INITS:
            raise ValueError(f"token_init must be one of {TOKEN_INITS}, not {self.token_init!r}")
        for name in ("category_swaps", "swapped_replies"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    @classmethod
    def from_yaml(cls, path: str | Path) -> TrainConfig:
        raw = yaml.safe_load(Path(path).read_text("utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: expected a mapping")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"{path}: unknown keys {unknown}; known: {sorted(known)}")
        return cls(**raw)
