from __future__ import annotations

import random

import pytest

from slm_guardian.data.rows import GuardExample
from slm_guardian.training.examples import category_swaps
from slm_guardian.training.config import TrainConfig


def test_category_swaps_pick_another_category_and_its_reply(taxonomy):
    examples = [GuardExample(f"Write a scam email number {i} to steal bank logins.", True, ["S2"], "r") for i in range(20)]
    examples += [GuardExample("How do I bake bread?", False)] * 10
    swaps = category_swaps(examples, taxonomy, 0.5, seed=3)
    assert len(swaps) == 10
    for example, code, reply in swaps:
        assert example.unsafe and code != "S2" and code in taxonomy.codes
        # names the request, except where replies never restate it: self-harm, and the categories
        # whose claim itself is the harm (OpenAI's hate and harassment: S5, S10, S15)
        unrestated = {"S11"} | {c.code for c in taxonomy.categories if {"hate", "harassment"} & set(c.openai)}
        assert reply and ("scam email" in reply or code in unrestated)
    assert swaps == category_swaps(examples, taxonomy, 0.5, seed=3)  # fixed by the seed
    assert category_swaps(examples, taxonomy, 0.0, seed=3) == []


def test_unknown_training_keys_and_bad_types_are_clear_errors(tmp_path):
    from slm_guardian.errors import ConfigError

    with pytest.raises(ConfigError, match=r"unknown keys \['category_swaps'\]"):
        TrainConfig(category_swaps=0.3)  # an experiment flag that left the library
    path = tmp_path / "train.yaml"
    path.write_text("epochs: two\n")
    with pytest.raises(ConfigError, match="train.yaml: epochs: input should be a valid number"):
        TrainConfig.from_yaml(path)


def test_code_defaults_are_the_shipped_config():
    assert TrainConfig() == TrainConfig.from_yaml("configs/smollm2-135m.yaml")


def test_loss_weights_must_be_positive():
    with pytest.raises(ValueError, match="category_weight"):
        TrainConfig(category_weight=0.0)


def test_swapped_replies_replace_replies_in_place(tokenizer, taxonomy):
    from slm_guardian.model.format import GuardFormat
    from slm_guardian.training.examples import encode

    examples = [GuardExample(f"Write a scam email number {i} to steal bank logins.", True, ["S2"], "I can't help with a scam.") for i in range(20)]
    examples += [GuardExample("How do I bake bread?", False)] * 10
    fmt = GuardFormat(tokenizer, taxonomy.codes)
    plain = encode(examples, fmt, TrainConfig(swapped_replies=0.0))
    swapped = encode(examples, fmt, TrainConfig(swapped_replies=0.5))
    assert len(swapped) == len(plain) == 30  # no extra sequences
    changed = [e for e in swapped if e.labels is not None]
    assert len(changed) == 10
    s2 = fmt.ids.categories["S2"]
    for example in changed:
        harm = example.input_ids.index(fmt.ids.harm)
        assert example.input_ids[harm + 1] != s2 and example.targets[harm + 1] == s2


class _TinyLM:
    """The two attributes `weighted_loss` reads from a peft model: `get_base_model().model`
    (hidden states from `hidden(input_ids)`) and `lm_head`."""

    def __init__(self, hidden, lm_head):
        self.model = lambda input_ids, attention_mask: type("Out", (), {"last_hidden_state": hidden(input_ids)})()
        self.lm_head = lm_head

    def get_base_model(self):
        return self


def test_weighted_loss_scores_the_labels_not_the_inputs():
    import torch

    from slm_guardian.training.train import weighted_loss

    head = torch.nn.Linear(4, 4, bias=False)
    with torch.no_grad():
        head.weight.copy_(torch.eye(4) * 10)  # predicts the current token again
    tiny = _TinyLM(lambda ids: torch.nn.functional.one_hot(ids, 4).float(), head)

    ids = torch.tensor([[1, 1, 2]])
    mask = torch.ones_like(ids)
    weights = torch.tensor([[0.0, 1.0, 0.0]])
    as_input = weighted_loss(tiny, ids, mask, weights)
    relabelled = weighted_loss(tiny, ids, mask, weights, labels=torch.tensor([[1, 3, 2]]))
    assert as_input.item() < 0.01 < relabelled.item()


def test_a_soft_verdict_is_the_cross_entropy_against_the_teachers_probability():
    import torch

    from slm_guardian.model.format import Example
    from slm_guardian.training.train import collate, soft_targets, weighted_loss

    torch.manual_seed(0)
    tiny = _TinyLM(torch.nn.Embedding(8, 4), torch.nn.Linear(4, 8, bias=False))
    harm, safe = 5, 6

    def loss(verdict: int, p: float | None) -> float:
        # the token after the verdict is not a target: it reads the verdict fed before it
        batch = [Example([1, 2, 3, verdict, 7], [0, 0, 0, 10, 0], soft_verdict=p), Example([1, 4, 6, 7], [0, 0, 10, 1])]
        ids, mask, weights, labels = collate(batch, 0, torch.device("cpu"))
        return weighted_loss(tiny, ids, mask, weights, labels, None, soft_targets(batch, ids.shape[1]), (harm, safe)).item()

    assert soft_targets([Example([1, 2], [0, 1])], 2) is None
    assert abs(loss(harm, 1.0) - loss(harm, None)) < 1e-6 and abs(loss(harm, 0.0) - loss(safe, None)) < 1e-6
    assert abs(loss(harm, 0.3) - (0.3 * loss(harm, None) + 0.7 * loss(safe, None))) < 1e-5


def test_swapped_replies_must_be_a_share():
    with pytest.raises(ValueError, match="swapped_replies"):
        TrainConfig(swapped_replies=-0.1)


def test_token_init_must_be_known():
    with pytest.raises(ValueError, match="token_init"):
        TrainConfig(token_init="zeros")


def test_words_init_sets_each_guard_row_to_its_words_mean(tokenizer, taxonomy):
    import torch

    from slm_guardian.model.format import GuardFormat
    from slm_guardian.model.loading import init_rows_from_text
    from slm_guardian.training.train import token_words

    words = token_words(taxonomy)
    assert set(words) == set(GuardFormat.special_tokens(taxonomy.codes, judges_responses=True))
    assert "Hate" in words["<|cat:S10|>"]
    embedding = torch.nn.Embedding(len(tokenizer), 8)
    model = type("Model", (), {"get_input_embeddings": lambda self: embedding})()
    ids = GuardFormat.add_guard_tokens(tokenizer, taxonomy.codes)
    init_rows_from_text(model, tokenizer, {ids[3]: "harmful"})
    expected = embedding.weight[tokenizer("harmful", add_special_tokens=False)["input_ids"]].mean(dim=0)
    assert torch.allclose(embedding.weight[ids[3]], expected)
    assert not torch.allclose(embedding.weight[ids[4]], expected)


def _tiny_run():
    examples = [GuardExample(f"Write a scam email number {i} to steal bank logins.", True, ["S2"], "I can't help with a scam email.") for i in range(4)]
    examples += [GuardExample(f"How do I bake bread number {i}?", False) for i in range(4)]
    # A large learning rate, so a step that resumes wrongly (optimizer moments, dropout masks)
    # moves the weights far more than fp16 rounding does.
    config = TrainConfig(epochs=1, batch_size=2, learning_rate=0.05, lora_r=2, lora_alpha=4, max_query_tokens=16, warmup_ratio=0.0, verdict_weight=2.0, category_weight=1.0, swapped_replies=0.0, token_init="random")
    return config, examples


def test_a_paused_and_resumed_run_gives_the_uninterrupted_adapter(tmp_path):
    import torch
    from safetensors.torch import load_file

    from slm_guardian.training.train import adapter_from_checkpoint, train
    from slm_guardian.training.checkpoint import CHECKPOINT_FILE

    config, examples = _tiny_run()
    whole = train(config, examples, tmp_path / "whole", device="cpu", command="whole")
    assert whole["steps"] == 4 and "resumed" not in whole

    assert train(config, examples, tmp_path / "split", device="cpu", pause_after=2) is None
    assert (tmp_path / "split" / CHECKPOINT_FILE).is_file()
    assert not (tmp_path / "split" / "adapter_model.safetensors").exists()

    # The unfinished run can be evaluated: its checkpoint saved as an adapter, the run untouched.
    assert adapter_from_checkpoint(config, tmp_path / "split", tmp_path / "mid") == 2
    state = torch.load(tmp_path / "split" / CHECKPOINT_FILE, weights_only=False)["trainable"]
    trained = {name.replace(".default", ""): tensor for name, tensor in state.items()}  # PEFT drops the adapter name on save
    mid = load_file(tmp_path / "mid" / "adapter_model.safetensors")
    lora_b = [name for name in mid if "lora_B" in name]
    assert lora_b and all(mid[name].abs().sum() > 0 for name in lora_b)  # LoRA B starts at zero
    for name, tensor in mid.items():
        assert torch.allclose(tensor.float(), trained[name], atol=1e-3), name
    assert (tmp_path / "mid" / "guard_format.json").is_file()

    split = train(config, examples, tmp_path / "split", device="cpu", resume=True, command="split")
    assert split["resumed"] == 1 and split["steps"] == 4
    assert split["tokens_seen"] == whole["tokens_seen"]
    assert not (tmp_path / "split" / CHECKPOINT_FILE).exists()  # the finished adapter folder is clean

    expected = load_file(tmp_path / "whole" / "adapter_model.safetensors")
    got = load_file(tmp_path / "split" / "adapter_model.safetensors")
    assert expected.keys() == got.keys()
    for name, tensor in expected.items():
        assert torch.equal(tensor, got[name]), name


def test_resume_refuses_another_runs_checkpoint(tmp_path):
    from slm_guardian.training.train import train

    config, examples = _tiny_run()
    with pytest.raises(ValueError, match="nothing to resume"):
        train(config, examples, tmp_path / "run", device="cpu", resume=True)
    assert train(config, examples, tmp_path / "run", device="cpu", pause_after=1) is None
    with pytest.raises(ValueError, match="another run"):
        train(config, examples[:-1], tmp_path / "run", device="cpu", resume=True)


def test_micro_batches_keep_order_and_respect_the_token_budget():
    from slm_guardian.model.format import Example
    from slm_guardian.training.train import micro_batches

    batch = [Example([1] * n, [1.0] * n) for n in (3, 5, 4, 9, 2)]
    parts = micro_batches(batch, max_tokens=10)
    assert [e for part in parts for e in part] == batch
    assert all(max(len(e.input_ids) for e in part) * len(part) <= 10 or len(part) == 1 for part in parts)
    assert [len(part) for part in parts] == [2, 1, 1, 1]  # 3+5 fill 5 x 2; 4 cannot join (5 x 3), nor 9 join 4, nor 2 join 9 (9 x 2)
    assert micro_batches(batch, None) == [batch]


def test_a_batch_run_in_parts_takes_the_same_step():
    import torch

    from slm_guardian.model.format import Example
    from slm_guardian.training.train import collate, micro_batches, target_weight, weighted_loss

    torch.manual_seed(0)
    embed, head = torch.nn.Embedding(8, 4), torch.nn.Linear(4, 8, bias=False)

    # Uneven lengths and loss weights, as a harmful row's reply and a safe row's verdict are.
    batch = [
        Example([1, 2, 3, 4, 5, 6], [0, 0, 10, 1, 1, 1]),
        Example([2, 3, 7], [0, 0, 10]),
        Example([4, 5, 6, 7, 1], [0, 0, 10, 5, 1]),
    ]

    def step(parts, total_weight):
        head.weight.grad = None
        loss = 0.0
        for part in parts:
            part_loss = weighted_loss(_TinyLM(embed, head), *collate(part, 0, torch.device("cpu")), total_weight=total_weight)
            part_loss.backward()
            loss += part_loss.item()
        return loss, head.weight.grad.clone()

    parts = micro_batches(batch, max_tokens=7)
    assert len(parts) == 3
    whole_loss, whole_grad = step([batch], None)
    loss, grad = step(parts, target_weight(batch))
    assert abs(loss - whole_loss) < 1e-5 and torch.allclose(grad, whole_grad, atol=1e-6)
    own_loss, _ = step(parts, None)  # each part divided by its own weight: a different step
    assert abs(own_loss - whole_loss) > 0.1


def test_a_run_starts_from_a_trained_adapters_weights_and_token_rows(prompt_adapter, taxonomy):
    import torch
    from peft import get_peft_model_state_dict
    from safetensors.torch import load_file

    from slm_guardian.training.train import lora_model
    from slm_guardian.training.warm_start import start_from_adapter

    config = TrainConfig(lora_r=2, lora_alpha=4, max_query_tokens=16, token_init="random", judge_responses=True)
    model, _ = lora_model(config, None, taxonomy)
    fresh = {k: v.clone() for k, v in get_peft_model_state_dict(model).items()}
    trained = load_file(prompt_adapter / "adapter_model.safetensors")
    assert start_from_adapter(model, prompt_adapter, config.base_model, list(taxonomy.codes)) == len(trained)
    loaded = get_peft_model_state_dict(model)
    for name, tensor in trained.items():
        if name.endswith("trainable_tokens_delta"):
            # the prompt task's token rows come first; the response task's rows keep their start
            assert torch.equal(loaded[name][: len(tensor)], tensor.float()), name
            assert torch.equal(loaded[name][len(tensor) :], fresh[name][len(tensor) :]), name
            assert len(loaded[name]) > len(tensor)
        else:
            assert torch.equal(loaded[name], tensor.float()), name
    assert any("lora_B" in k and fresh[k].abs().sum() == 0 and loaded[k].abs().sum() > 0 for k in loaded)


def test_a_warm_start_that_does_not_fit_is_a_clear_error(prompt_adapter, taxonomy, tmp_path):
    from slm_guardian.training.train import lora_model
    from slm_guardian.training.warm_start import WarmStartError, start_from_adapter

    model, _ = lora_model(TrainConfig(lora_r=4, lora_alpha=8, token_init="random", judge_responses=True), None, taxonomy)
    with pytest.raises(WarmStartError, match="another lora_r"):
        start_from_adapter(model, prompt_adapter, "smollm2-135m", list(taxonomy.codes))
    with pytest.raises(WarmStartError, match="categories"):
        start_from_adapter(model, prompt_adapter, "smollm2-135m", list(taxonomy.codes)[:-1])
    with pytest.raises(WarmStartError, match="no adapter_model"):
        start_from_adapter(model, tmp_path, "smollm2-135m", list(taxonomy.codes))


def test_anchor_texts_are_distinct_texts_drawn_by_seed():
    from slm_guardian.data.rows import ResponseExample
    from slm_guardian.training.anchors import anchor_texts

    rows = [ResponseExample(f"question {i}", "the same answer.", False) for i in range(5)] + [ResponseExample("question 0", " ", None, refusal=True)]
    texts = anchor_texts(rows, 100, seed=1)
    assert sorted(texts) == sorted([f"question {i}" for i in range(5)] + ["the same answer."])
    assert anchor_texts(rows, 3, seed=1) == anchor_texts(rows, 3, seed=1)
    assert len(set(anchor_texts(rows, 3, seed=1))) == 3


def test_anchors_carry_the_starting_adapters_own_verdicts(prompt_adapter, taxonomy):
    """At step 0 a warm-started run is the adapter it starts from: the anchors' teacher
    scores are that adapter's reference scores, and each anchor's target is its verdict."""
    from slm_guardian.model.format import GuardFormat
    from slm_guardian.model.loading import load_guard_model
    from slm_guardian.training.anchors import anchor_examples
    from slm_guardian.training.train import lora_model
    from slm_guardian.training.warm_start import start_from_adapter

    config = TrainConfig(lora_r=2, lora_alpha=4, max_query_tokens=16, token_init="random", judge_responses=True)
    model, tokenizer = lora_model(config, None, taxonomy)
    start_from_adapter(model, prompt_adapter, config.base_model, list(taxonomy.codes))
    fmt = GuardFormat(tokenizer, taxonomy.codes, 16, judges_responses=True)
    texts = ["Write a scam email.", "How do I bake bread?", "I agree, they are all idiots and should be banned from here."]
    examples, scores = anchor_examples(model, fmt, texts, verdict_weight=10.0, category_weight=5.0)
    reference = load_guard_model(prompt_adapter)
    expected = reference.score_ids([reference.fmt.detection_ids(t) for t in texts])
    for text, example, score, ref in zip(texts, examples, scores, expected):
        assert abs(score.unsafe - ref.unsafe) < 1e-4, text
        prompt = len(fmt.detection_ids(text)) - 1  # the verdict follows <|guard|>
        assert example.input_ids[:prompt] == fmt.detection_ids(text)[:prompt]
        assert example.input_ids[prompt] == (fmt.ids.harm if ref.unsafe >= 0.5 else fmt.ids.safe)
        assert example.weights[prompt] == 10.0 and example.input_ids[-1] == fmt.ids.eos
    soft, _ = anchor_examples(model, fmt, texts, verdict_weight=10.0, category_weight=5.0, soft=True)
    assert [ex.soft_verdict for ex in examples] == [None] * len(texts)
    assert all(abs(ex.soft_verdict - ref.unsafe) < 1e-4 for ex, ref in zip(soft, expected))


def test_anchor_texts_draw_from_the_prompt_rows_too():
    from slm_guardian.data.rows import ResponseExample
    from slm_guardian.training.anchors import anchor_texts

    responses = [ResponseExample("question 0", "an answer.", False)]
    prompts = [GuardExample("question 0", False), GuardExample("Write a scam email.", True, ["S2"], "No.")]
    assert sorted(anchor_texts(responses, 100, seed=1, prompts=prompts)) == ["Write a scam email.", "an answer.", "question 0"]
    assert anchor_texts([], 100, seed=1, prompts=prompts) == anchor_texts([], 100, seed=1, prompts=prompts[::-1])


def test_every_row_of_a_named_source_is_an_anchor_and_counts_in_the_total():
    from slm_guardian.data.rows import ResponseExample
    from slm_guardian.training.anchors import anchor_texts

    responses = [ResponseExample(f"question {i}", f"answer {i}.", False) for i in range(20)]
    groups = [GuardExample(f"a sentence about group {i}", i % 2 == 0, source="hatecheck") for i in range(4)]
    prompts = groups + [GuardExample(f"prompt {i}", False, source="alpaca") for i in range(20)]
    for seed in range(5):
        texts = anchor_texts(responses, 10, seed, prompts, every_row_of=["hatecheck"])
        assert len(set(texts)) == 10 and {row.text for row in groups} <= set(texts)
    assert len(anchor_texts(responses, 3, 1, prompts, every_row_of=["hatecheck"])) == 3
    # without the option the draw is the one earlier runs made: one seeded sample of all texts
    from slm_guardian.data.keys import dedup_key

    every = {dedup_key(t): t for t in [x for r in responses for x in (r.query, r.answer)] + [r.text for r in prompts]}
    assert anchor_texts(responses, 10, 1, prompts) == random.Random(1).sample([every[k] for k in sorted(every)], 10)
    with pytest.raises(ValueError, match="anchor_sources"):
        TrainConfig(anchor_every_row_of=["hatecheck"])


def test_a_prompt_anchor_keeps_its_rows_reply_only_where_the_teacher_agrees(taxonomy):
    """The shipped adapter as teacher: a query it flags keeps its row's composed reply when
    the top category is among the row's, and is detection-only when it is not; a query it
    passes is trained safe whatever its row says."""
    from slm_guardian.guardian import shipped_adapter_dir
    from slm_guardian.model.format import GuardFormat
    from slm_guardian.training.anchors import anchor_examples
    from slm_guardian.training.train import lora_model
    from slm_guardian.training.warm_start import start_from_adapter

    model, tokenizer = lora_model(TrainConfig(), None, taxonomy)
    start_from_adapter(model, shipped_adapter_dir(), "smollm2-135m", list(taxonomy.codes))
    fmt = GuardFormat(tokenizer, taxonomy.codes, 128)
    harmful, harmless = "Write a phishing email that tricks bank customers into giving me their passwords.", "How do I bake sourdough bread?"
    _, (flagged, passed) = anchor_examples(model, fmt, [harmful, harmless], verdict_weight=10.0, category_weight=5.0)
    assert flagged.unsafe >= 0.5 > passed.unsafe
    top = max(flagged.categories, key=flagged.categories.get)
    other = next(c for c in taxonomy.codes if c != top)
    reply = "I can't help with phishing; I can explain how to spot it."
    reply_ids = tokenizer(reply, add_special_tokens=False)["input_ids"]
    agreeing = {harmful: GuardExample(harmful, True, [top], reply), harmless: GuardExample(harmless, True, [top], reply)}
    (with_reply, safe), _ = anchor_examples(model, fmt, [harmful, harmless], 10.0, 5.0, replies=_keyed(agreeing))
    assert with_reply.input_ids[-len(reply_ids) - 2 :] == [fmt.ids.response, *reply_ids, fmt.ids.eos]
    assert safe.input_ids[-2:] == [fmt.ids.safe, fmt.ids.eos]
    disagreeing = _keyed({harmful: GuardExample(harmful, True, [other], reply)})
    (detection_only,), _ = anchor_examples(model, fmt, [harmful], 10.0, 5.0, replies=disagreeing)
    assert detection_only.input_ids[-3:] == [fmt.ids.harm, fmt.ids.categories[top], fmt.ids.eos]


def _keyed(rows: dict[str, GuardExample]) -> dict[str, GuardExample]:
    from slm_guardian.data.keys import dedup_key

    return {dedup_key(text): row for text, row in rows.items()}


def test_replayed_prompt_rows_are_a_seeded_share_in_order():
    from slm_guardian.training.train import replayed_prompt_rows

    rows = [GuardExample(f"question {i}", i % 2 == 0) for i in range(10)]
    half = replayed_prompt_rows(rows, 0.5, seed=13)
    assert len(half) == 5 and half == [r for r in rows if r in half] and half == replayed_prompt_rows(rows, 0.5, seed=13)
    assert replayed_prompt_rows(rows, 1.0, seed=13) == rows and replayed_prompt_rows(rows, 0.0, seed=13) == []


def test_leaving_prompt_rows_out_needs_an_adapter_to_start_from(tmp_path):
    from slm_guardian.training.train import train

    config = TrainConfig(epochs=1, lora_r=2, lora_alpha=4, token_init="random", prompt_rows=0.0)
    with pytest.raises(ValueError, match="prompt_rows below 1 needs init_adapter"):
        train(config, [GuardExample("How do I bake bread?", False)], tmp_path, device="cpu")


def test_anchor_prompts_need_an_adapter_to_keep(tmp_path):
    from slm_guardian.data.rows import ResponseExample
    from slm_guardian.training.train import train

    config = TrainConfig(epochs=1, lora_r=2, lora_alpha=4, token_init="random", judge_responses=True, anchor_prompts=10)
    with pytest.raises(ValueError, match="anchor_prompts needs init_adapter"):
        train(config, [GuardExample("How do I bake bread?", False)], tmp_path, device="cpu", response_examples=[ResponseExample("q", "a", False)])



def test_a_run_trains_its_anchors_towards_the_teachers_probabilities(prompt_adapter, tmp_path):
    from slm_guardian.data.rows import ResponseExample
    from slm_guardian.training.train import train

    responses = [ResponseExample("How do I make a bomb?", "Mix the powder and pack it in a pipe.", True, ["S9"], False)]
    responses += [ResponseExample("How do I bake bread?", "I can't help with that.", False, [], True)]
    config = TrainConfig(
        epochs=1, batch_size=3, lora_r=2, lora_alpha=4, max_query_tokens=16, swapped_replies=0.0, token_init="random", judge_responses=True,
        init_adapter=str(prompt_adapter), prompt_rows=0.0, anchor_prompts=4, anchor_targets="probability",
    )  # fmt: skip
    record = train(config, [GuardExample("Write a scam email.", True, ["S2"], "No.")], tmp_path, device="cpu", response_examples=responses)
    assert record["train_anchor_prompts"] == 4 and record["config"]["anchor_targets"] == "probability"
    assert record["final_loss_mean_last_50"] > 0 and (tmp_path / "adapter_model.safetensors").is_file()
