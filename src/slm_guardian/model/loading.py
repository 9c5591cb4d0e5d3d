"""Build the guard model from a base model and a LoRA adapter (for training or inference)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from slm_guardian.model.base import DEFAULT_BASE, resolve_base
from slm_guardian.model.format import GuardFormat
from slm_guardian.model.guard_model import GuardModel

FORMAT_FILE = "guard_format.json"


@dataclass(frozen=True)
class FormatSpec:
    """What an adapter needs besides its weights: the base, category codes, query window and
    whether it was trained to judge responses (its vocabulary then holds that task's tokens)."""

    base_model: str
    codes: tuple[str, ...]
    max_query_tokens: int
    judges_responses: bool = False

    def save(self, directory: Path) -> None:
        (directory / FORMAT_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> FormatSpec:
        raw = json.loads((directory / FORMAT_FILE).read_text("utf-8"))
        return cls(raw["base_model"], tuple(raw["codes"]), int(raw["max_query_tokens"]), bool(raw.get("judges_responses", False)))

    def format(self, tokenizer) -> GuardFormat:
        return GuardFormat(tokenizer, self.codes, self.max_query_tokens, self.judges_responses)


def quiet_transformers() -> None:
    """Silence load-time progress bars and deprecation chatter; errors still surface."""
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")
    warnings.filterwarnings("ignore", category=UserWarning, module="peft")


def load_base_with_tokens(base_model: str | None, codes, dtype=torch.float32, judges_responses: bool = False):
    """The base model and tokenizer with the guard tokens added and the embeddings resized."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    directory = resolve_base(base_model)
    tokenizer = AutoTokenizer.from_pretrained(directory)
    token_ids = GuardFormat.add_guard_tokens(tokenizer, codes, judges_responses)
    model = AutoModelForCausalLM.from_pretrained(directory, dtype=dtype)
    # mean_resizing=False: the trained rows are stored in the adapter, the initial values
    # only matter for training, and a fixed seed makes them reproducible.
    model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    return model, tokenizer, token_ids


def init_rows_from_text(model, tokenizer, texts: dict[int, str]) -> None:
    """Set each new token's embedding row to the mean embedding of `texts[token_id]`'s tokens.

    Random rows (std 0.02, norm ~0.5) have a sixth of a word embedding's norm (~2.9), so a
    token fed as input barely registers against its context; a mean of word rows is two to
    five times louder (norm ~1.1-2.8 on SmolLM2) and already means something to the base model."""
    weight = model.get_input_embeddings().weight
    with torch.no_grad():
        for token_id, text in texts.items():
            ids = tokenizer(text, add_special_tokens=False)["input_ids"]
            weight[token_id] = weight[ids].mean(dim=0)


def load_guard_model(adapter_dir: str | Path, base_model: str | None = None, threads: int | None = None) -> GuardModel:
    """Base + adapter, merged for inference."""
    from peft import PeftModel

    if threads:
        torch.set_num_threads(threads)
    adapter_dir = Path(adapter_dir)
    if not (adapter_dir / "adapter_config.json").is_file():
        raise FileNotFoundError(f"no adapter found in {adapter_dir} (adapter_config.json missing)")
    spec = FormatSpec.read(adapter_dir)
    base = base_model or (None if spec.base_model == DEFAULT_BASE else spec.base_model)
    model, tokenizer, _ = load_base_with_tokens(base, spec.codes, judges_responses=spec.judges_responses)
    model = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    fmt = spec.format(tokenizer)
    return GuardModel(model, fmt)
