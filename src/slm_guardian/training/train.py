"""`guardian train`: LoRA fine-tune of the base model on the multi-task examples."""

from __future__ import annotations

import json
import math
import platform
import random
import shutil
import sys
import time
from pathlib import Path

import torch
from tqdm import tqdm

from slm_guardian.data.rows import GuardExample, ResponseExample
from slm_guardian.model.format import (
    ANSWER,
    COMPLIED,
    DECLINED,
    GUARD,
    HARM,
    QUERY,
    REFUSAL,
    RESPONSE,
    SAFE,
    Example,
    GuardFormat,
    category_token,
)
from slm_guardian.model.loading import FormatSpec, init_rows_from_text, load_base_with_tokens
from slm_guardian.taxonomy import Taxonomy
from slm_guardian.training.anchors import prompt_anchors
from slm_guardian.training.checkpoint import CHECKPOINT_FILE, Checkpoint, TrainingProgress, fingerprint
from slm_guardian.training.config import TrainConfig
from slm_guardian.training.examples import encode, encode_responses
from slm_guardian.training.warm_start import start_from_adapter

RECORD_FILE = "training_record.json"


def token_words(taxonomy: Taxonomy) -> dict[str, str]:
    """What each guard token stands for, keyed by the token."""
    words = {QUERY: "user query", GUARD: "safety check", SAFE: "safe", HARM: "harmful", RESPONSE: "response"}
    words |= {ANSWER: "assistant answer", REFUSAL: "does the answer refuse", DECLINED: "refused", COMPLIED: "answered"}
    return words | {category_token(c.code): f"{c.name}: {c.topic}" for c in taxonomy.categories}


def batches(examples: list[Example], batch_size: int, rng: random.Random) -> list[list[Example]]:
    """Shuffled batches of similar length (sorted within windows of 50 batches) to cut padding."""
    order = examples[:]
    rng.shuffle(order)
    window = batch_size * 50
    out = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda e: len(e.input_ids))
        out.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(out)
    return out


def replayed_prompt_rows(examples: list[GuardExample], share: float, seed: int) -> list[GuardExample]:
    """The `share` of the prompt rows a run trains with their own labels, drawn by seed, in order."""
    if share >= 1.0:
        return examples
    # seed + 2: a stream of its own, apart from the swapped replies' seed + 1 (examples.py)
    kept = set(random.Random(seed + 2).sample(range(len(examples)), round(share * len(examples))))
    return [ex for i, ex in enumerate(examples) if i in kept]


def collate(batch: list[Example], pad_id: int, device: torch.device):
    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    weights = torch.zeros((len(batch), width), dtype=torch.float)
    labels = torch.full((len(batch), width), pad_id, dtype=torch.long)
    for row, ex in enumerate(batch):
        n = len(ex.input_ids)
        ids[row, :n] = torch.tensor(ex.input_ids)
        mask[row, :n] = 1
        weights[row, :n] = torch.tensor(ex.weights)
        labels[row, :n] = torch.tensor(ex.targets)
    return ids.to(device), mask.to(device), weights.to(device), labels.to(device)


def soft_targets(batch: list[Example], width: int) -> torch.Tensor | None:
    """The P(harm) each soft-labelled example's verdict is trained towards, at its place among
    the (rows, width - 1) next-token targets (NaN elsewhere); None when no example has one."""
    if all(ex.soft_verdict is None for ex in batch):
        return None
    out = torch.full((len(batch), width - 1), float("nan"))
    for row, ex in enumerate(batch):
        if ex.soft_verdict is not None:
            verdict = next(i for i, w in enumerate(ex.weights) if w > 0)
            out[row, verdict - 1] = ex.soft_verdict
    return out


def micro_batches(batch: list[Example], max_tokens: int | None) -> list[list[Example]]:
    """`batch` cut, in order, into parts of at most `max_tokens` padded tokens (at least one
    example each): one optimizer step over the parts equals one over the whole batch (up to
    dropout masks and rounding), with the activation memory of a part. None keeps the batch
    whole."""
    if max_tokens is None:
        return [batch]
    parts: list[list[Example]] = [[]]
    for ex in batch:
        width = max(len(e.input_ids) for e in [*parts[-1], ex])
        if parts[-1] and width * (len(parts[-1]) + 1) > max_tokens:
            parts.append([])
        parts[-1].append(ex)
    return parts


def target_weight(batch: list[Example]) -> float:
    """The loss weight of a batch's targets: what `weighted_loss` divides by."""
    return max(1.0, float(sum(sum(ex.weights[1:]) for ex in batch)))


def weighted_loss(
    model,
    ids: torch.Tensor,
    mask: torch.Tensor,
    weights: torch.Tensor,
    labels: torch.Tensor | None = None,
    total_weight: float | None = None,
    soft: torch.Tensor | None = None,
    verdict_ids: tuple[int, int] | None = None,
) -> torch.Tensor:
    """Weighted next-token cross-entropy over the target positions only.

    Divided by the batch's own target weight, or by `total_weight` when the batch is one part
    of a larger one, so that the parts' losses add up to the whole batch's. Where `soft`
    (`soft_targets`) holds a P(harm), that target is the cross-entropy against P(harm) on
    `<|harm|>` and 1 - P(harm) on `<|safe|>` (`verdict_ids`: their ids, harm first).

    The vocabulary projection runs only where a token is a target (the verdict, categories
    and reply), not over the query: on a CPU the full (batch, length, 49k) logits tensor
    costs more time and memory than the rest of the step.
    """
    causal_lm = model.get_base_model()
    hidden = causal_lm.model(input_ids=ids, attention_mask=mask).last_hidden_state
    target_weights = weights[:, 1:]
    selected = target_weights > 0
    logits = causal_lm.lm_head(hidden[:, :-1][selected])
    targets = ids if labels is None else labels
    per_token = torch.nn.functional.cross_entropy(logits.float(), targets[:, 1:][selected], reduction="none")
    if soft is not None:
        if verdict_ids is None:
            raise ValueError("soft verdict targets need the ids of <|harm|> and <|safe|>")
        p = soft.to(logits.device)[selected]
        has = ~torch.isnan(p)
        # the soft verdicts' rows only: a second log-softmax over every reply target costs more
        log_probs = torch.log_softmax(logits[has].float(), dim=-1)
        mixed = -(p[has] * log_probs[:, verdict_ids[0]] + (1 - p[has]) * log_probs[:, verdict_ids[1]])
        per_token = per_token.masked_scatter(has, mixed)
    w = target_weights[selected]
    return (per_token * w).sum() / (w.sum().clamp(min=1.0) if total_weight is None else total_weight)


def _store_half_precision(path: Path) -> None:
    """Rewrite the adapter in fp16: half the size (~10 MB), and the loader upcasts it on merge."""
    from safetensors.torch import load_file, save_file

    tensors = load_file(path)
    save_file({k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}, path, metadata={"format": "pt"})


def _taxonomy(config: TrainConfig) -> Taxonomy:
    return Taxonomy.from_yaml(config.taxonomy) if config.taxonomy else Taxonomy.default()


def lora_model(config: TrainConfig, base_name: str | None, taxonomy: Taxonomy):
    """The base with the guard tokens added and LoRA attached, before any training: (model, tokenizer)."""
    from peft import LoraConfig, get_peft_model

    model, tokenizer, token_ids = load_base_with_tokens(base_name, taxonomy.codes, judges_responses=config.judge_responses)
    if config.token_init == "words":
        words = {t: w for t, w in token_words(taxonomy).items() if t in GuardFormat.special_tokens(taxonomy.codes, config.judge_responses)}
        init_rows_from_text(model, tokenizer, {tokenizer.convert_tokens_to_ids(t): w for t, w in words.items()})
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.lora_target_modules,
        trainable_token_indices=token_ids,  # only the new guard tokens' embedding rows train
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora), tokenizer


def _save_adapter(model, out_dir: Path, config: TrainConfig, base_name: str | None, taxonomy: Taxonomy) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    # The resized embedding matrix is the base's plus the guard rows, which the adapter's
    # trainable-token deltas already hold: saving it whole would add ~100 MB.
    model.save_pretrained(out_dir, save_embedding_layers=False)
    _store_half_precision(out_dir / "adapter_model.safetensors")
    FormatSpec(base_name, taxonomy.codes, config.max_query_tokens, config.judge_responses).save(out_dir)
    if config.taxonomy:
        shutil.copy(config.taxonomy, out_dir / "taxonomy.yaml")


def adapter_from_checkpoint(config: TrainConfig, run_dir: Path, out_dir: Path, base_model: str | None = None) -> int:
    """Save an unfinished run's checkpoint (`run_dir/checkpoint.pt`) as an adapter in `out_dir`,
    to evaluate the run before it ends; returns the step it was taken at. The run is untouched."""
    base_name = base_model or config.base_model
    taxonomy = _taxonomy(config)
    model, _ = lora_model(config, base_name, taxonomy)
    progress = Checkpoint(Path(run_dir) / CHECKPOINT_FILE, run="").restore_weights(model)
    _save_adapter(model, Path(out_dir), config, base_name, taxonomy)
    return progress.step


def train(
    config: TrainConfig,
    train_examples: list[GuardExample],
    out_dir: Path,
    base_model: str | None = None,
    device: str | None = None,
    command: str | None = None,
    max_steps: int | None = None,
    checkpoint_every: int | None = None,
    pause_after: int | None = None,
    resume: bool = False,
    max_batch_tokens: int | None = None,
    response_examples: list[ResponseExample] | None = None,
) -> dict | None:
    """Fine-tune, save the adapter and a training record to `out_dir`; returns the record.

    With `checkpoint_every`, the training state is saved to `out_dir/checkpoint.pt` every that
    many steps; `resume` continues from it (same config, base and data, else ValueError), so a
    run longer than a session can be split. `pause_after` stops after that step with a
    checkpoint written and returns None. `max_batch_tokens` runs each batch in parts of at most
    that many padded tokens (the same step, less memory: a large base's longest batches need
    more than 24 GB whole). `response_examples` train the response-judging task alongside
    (`config.judge_responses`), shuffled into the same batches."""
    from transformers import get_linear_schedule_with_warmup

    started = time.time()
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    taxonomy = _taxonomy(config)
    unknown = sorted({c for ex in train_examples for c in ex.categories} - set(taxonomy.codes))
    if unknown:
        raise ValueError(f"training data uses categories not in the taxonomy: {unknown}")
    base_name = base_model or config.base_model
    model, tokenizer = lora_model(config, base_name, taxonomy)
    if config.init_adapter:
        start_from_adapter(model, config.init_adapter, base_name, list(taxonomy.codes))
    fmt = GuardFormat(tokenizer, taxonomy.codes, config.max_query_tokens, config.judge_responses)
    response_examples = list(response_examples or [])
    if response_examples and not config.judge_responses:
        raise ValueError("response examples need judge_responses: true in the training config")
    if config.judge_responses and not response_examples:
        raise ValueError("judge_responses: true needs response examples (the data folder's response_train.jsonl)")
    unknown = sorted({c for ex in response_examples for c in ex.categories} - set(taxonomy.codes))
    if unknown:
        raise ValueError(f"response training data uses categories not in the taxonomy: {unknown}")
    if config.anchor_prompts and not config.init_adapter:
        raise ValueError("anchor_prompts needs init_adapter (whose verdicts the anchors keep)")
    if config.anchor_prompts and "prompts" not in config.anchor_sources and not response_examples:
        raise ValueError("anchor_prompts from the response rows needs response examples")
    if config.prompt_rows < 1.0 and not config.init_adapter:
        raise ValueError("prompt_rows below 1 needs init_adapter (the prompt task it leaves out has to come from somewhere)")
    target = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model.to(target)
    anchors, anchor_scores = prompt_anchors(model, fmt, config, response_examples, train_examples)
    model.train()

    prompt_rows = replayed_prompt_rows(train_examples, config.prompt_rows, config.seed)
    prompt_encoded = encode(prompt_rows, fmt, config, taxonomy)
    examples = prompt_encoded + encode_responses(response_examples, fmt, config) + anchors
    rng = random.Random(config.seed)
    epochs_whole = math.ceil(config.epochs)
    plan = [b for _ in range(epochs_whole) for b in batches(examples, config.batch_size, rng)]
    total_steps = int(len(plan) * config.epochs / epochs_whole)
    if max_steps is not None:
        total_steps = min(total_steps, max_steps)
    plan = plan[:total_steps]
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.learning_rate, weight_decay=config.weight_decay
    )
    schedule = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)

    out_dir = Path(out_dir)
    checkpoint = Checkpoint(out_dir / CHECKPOINT_FILE, fingerprint(config, base_name, train_examples, len(plan), response_examples))
    progress_state = checkpoint.load(model, optimizer, schedule) if resume else TrainingProgress()
    resumed_at = started  # every segment counts its own loading too
    progress = tqdm(total=len(plan), desc=f"train {config.name}", unit="batch", dynamic_ncols=True, initial=progress_state.step)
    for step, batch in enumerate(plan[progress_state.step :], start=progress_state.step + 1):
        loss, total_weight = 0.0, target_weight(batch)
        for part in micro_batches(batch, max_batch_tokens):
            ids, mask, weights, labels = collate(part, fmt.ids.eos, target)
            soft = soft_targets(part, ids.shape[1])
            with torch.autocast(target.type, dtype=torch.bfloat16, enabled=config.precision == "bfloat16"):
                part_loss = weighted_loss(model, ids, mask, weights, labels, total_weight, soft, (fmt.ids.harm, fmt.ids.safe))
            part_loss.backward()
            loss += part_loss.item()
            progress_state.tokens_seen += int(mask.sum())
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        progress_state.step = step
        progress_state.losses.append(loss)
        progress.update()
        progress.set_postfix(loss=f"{sum(progress_state.losses[-20:]) / len(progress_state.losses[-20:]):.3f}")
        at_checkpoint = checkpoint_every and step % checkpoint_every == 0 and step < len(plan)
        if at_checkpoint or step == pause_after:
            progress_state.wall_s += time.time() - resumed_at
            resumed_at = time.time()
            checkpoint.save(model, optimizer, schedule, progress_state)
            if step == pause_after and step < len(plan):
                progress.close()
                return None
    progress.close()
    tokens_seen, losses = progress_state.tokens_seen, progress_state.losses

    _save_adapter(model, out_dir, config, base_name, taxonomy)
    wall = progress_state.wall_s + time.time() - resumed_at
    checkpoint.remove()
    record = {
        "command": command or " ".join(sys.argv),
        "config": config.model_dump(),
        "seed": config.seed,
        "device": str(target) if target.type == "cpu" else torch.cuda.get_device_name(target),
        "host": platform.machine(),
        "torch": torch.__version__,
        "train_examples": len(train_examples),
        "train_prompt_rows": len(prompt_rows),
        "train_sequences": len(examples),
        "train_swapped_replies": sum(e.labels is not None for e in prompt_encoded),
        "train_unsafe": sum(ex.unsafe for ex in train_examples),
        "train_responses": len(response_examples),
        "train_unsafe_responses": sum(bool(ex.unsafe) for ex in response_examples),
        "train_anchor_prompts": len(anchors),
        "train_anchor_prompts_unsafe": sum(s.unsafe >= 0.5 for s in anchor_scores),
        "train_anchor_prompts_with_reply": sum(fmt.ids.response in a.input_ids for a in anchors),
        "steps": len(plan),
        "tokens_seen": tokens_seen,
        "final_loss_mean_last_50": sum(losses[-50:]) / max(1, len(losses[-50:])),
        "wall_time_s": round(wall, 1),
    }
    if progress_state.segments:
        record["resumed"] = progress_state.segments
    if max_batch_tokens is not None:
        record["max_batch_tokens"] = max_batch_tokens
    (out_dir / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
