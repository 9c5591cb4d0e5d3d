"""Start a fine-tune from a trained adapter instead of from zero LoRA weights.

The response task is trained on top of the prompt task's shipped adapter: the prompt task then
starts where it was shipped, instead of being learned again beside a task that pulls on it.
The format's tokens keep their ids when the response task's tokens are added (they come last),
so the trained adapter's guard-token rows fill the first rows and the new tokens keep their
initial rows."""

from __future__ import annotations

from pathlib import Path

import torch

from slm_guardian.model.loading import FormatSpec

_TOKEN_ROWS = "trainable_tokens_delta"


class WarmStartError(ValueError):
    """The adapter to start from does not fit the run (another base, taxonomy or LoRA shape)."""


def start_from_adapter(model, adapter_dir: str | Path, base_model: str | None, codes: list[str]) -> int:
    """Load `adapter_dir`'s LoRA weights and guard-token rows into the fresh peft `model`;
    returns how many tensors were loaded. Raises WarmStartError when it does not fit."""
    from peft import get_peft_model_state_dict, set_peft_model_state_dict
    from safetensors.torch import load_file

    folder = Path(adapter_dir)
    weights = folder / "adapter_model.safetensors"
    if not weights.is_file():
        raise WarmStartError(f"init_adapter: no adapter_model.safetensors in {folder}")
    try:
        spec = FormatSpec.read(folder)
    except (OSError, KeyError, ValueError) as exc:
        raise WarmStartError(f"init_adapter: {folder} has no readable guard_format.json ({exc})") from exc
    if spec.base_model != base_model:
        raise WarmStartError(f"init_adapter {folder} was trained on {spec.base_model}, this run trains {base_model}")
    if list(spec.codes) != list(codes):
        raise WarmStartError(f"init_adapter {folder} has categories {list(spec.codes)}, this run's taxonomy {list(codes)}")
    current = get_peft_model_state_dict(model)
    trained = {k: v.float() for k, v in load_file(weights).items()}
    for key, value in trained.items():
        if key not in current:
            raise WarmStartError(f"init_adapter {folder}: {key} has no place in this run's model (another LoRA target set?)")
        if key.endswith(_TOKEN_ROWS) and value.shape[0] < current[key].shape[0]:
            trained[key] = torch.cat([value, current[key][value.shape[0] :].float()])
        elif value.shape != current[key].shape:
            raise WarmStartError(f"init_adapter {folder}: {key} is {tuple(value.shape)}, this run's is {tuple(current[key].shape)} (another lora_r?)")
    result = set_peft_model_state_dict(model, trained)
    if result.unexpected_keys:
        raise WarmStartError(f"init_adapter {folder}: tensors not loaded: {result.unexpected_keys[:3]}")
    return len(trained)
