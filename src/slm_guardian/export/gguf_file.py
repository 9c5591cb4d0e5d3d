"""`guardian export --format gguf`: the merged guard as one GGUF file (llama architecture,
the tokenizer and guard tokens in its metadata), for llama.cpp and other GGUF runtimes.

Tensors are named and laid out as llama.cpp's own converter writes a Llama model: the query
and key projections are permuted to its rotary layout (transformers' GGUF loader undoes
that). Matrices are stored in float16 or float32; norms always in float32.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from slm_guardian.model.guard_model import GuardModel

TYPES = ("f16", "f32")


def _permute(weights: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's rotary layout for a query or key projection (its `LlamaModel.permute`)."""
    return weights.reshape(heads, 2, weights.shape[0] // heads // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def _tokenizer_metadata(writer, tokenizer, vocab_rows: int) -> None:
    import gguf

    vocab = tokenizer.get_vocab()
    by_id = {i: t for t, i in vocab.items()}
    special = set(tokenizer.all_special_ids) | {int(i) for i in tokenizer.added_tokens_decoder}
    tokens, types = [], []
    for i in range(vocab_rows):
        token = by_id.get(i, f"[PAD{i}]")  # rows past the tokenizer (none today) still need a name
        tokens.append(token)
        types.append(gguf.TokenType.CONTROL if i in special else (gguf.TokenType.NORMAL if i in by_id else gguf.TokenType.UNUSED))
    model = json.loads(tokenizer.backend_tokenizer.to_str())["model"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]
    writer.add_tokenizer_model("gpt2")  # byte-level BPE, as SmolLM2's tokenizer is
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    for kind in ("bos", "eos", "unk", "pad"):
        token_id = getattr(tokenizer, f"{kind}_token_id")
        if token_id is not None:
            getattr(writer, f"add_{kind}_token_id")(token_id)
    writer.add_add_bos_token(False)
    if tokenizer.chat_template:
        writer.add_chat_template(tokenizer.chat_template)


def export_gguf(model: GuardModel, out_path: Path, name: str, tensor_type: str = "f16") -> Path:
    """Write `model` (a merged Llama-architecture guard) to `out_path`."""
    import gguf

    if tensor_type not in TYPES:
        raise ValueError(f"tensor type must be one of {', '.join(TYPES)}, not {tensor_type!r}")
    lm = model.model
    config = lm.config
    if config.model_type != "llama":
        raise ValueError(f"GGUF export supports Llama-architecture bases (SmolLM2); this base is {config.model_type!r}")
    state = {k: v.detach().float().numpy() for k, v in lm.state_dict().items()}
    if "lm_head.weight" not in state:
        state["lm_head.weight"] = state["model.embed_tokens.weight"]
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    rope = getattr(config, "rope_parameters", None) or {"rope_theta": getattr(config, "rope_theta", 10000.0)}

    out_path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(out_path), "llama")
    writer.add_name(name)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_dimension_count(config.hidden_size // config.num_attention_heads)
    writer.add_rope_freq_base(float(rope["rope_theta"]))
    writer.add_layer_norm_rms_eps(float(config.rms_norm_eps))
    writer.add_vocab_size(state["model.embed_tokens.weight"].shape[0])
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if tensor_type == "f16" else gguf.LlamaFileType.ALL_F32)
    _tokenizer_metadata(writer, model.fmt.tokenizer, state["model.embed_tokens.weight"].shape[0])
    for hf_name, weights in state.items():
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue
        target = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if target is None:
            raise ValueError(f"no GGUF name for tensor {hf_name}")
        if ".self_attn.q_proj." in hf_name:
            weights = _permute(weights, config.num_attention_heads)
        elif ".self_attn.k_proj." in hf_name:
            weights = _permute(weights, config.num_key_value_heads)
        if tensor_type == "f16" and weights.ndim > 1:
            weights = weights.astype(np.float16)
        writer.add_tensor(target, np.ascontiguousarray(weights))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out_path
