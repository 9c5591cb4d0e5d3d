"""The response-judging task: its token format, its data build and a joint training run."""

from __future__ import annotations

import json
import random

import pytest

from slm_guardian.data.keys import dedup_key
from slm_guardian.data.rows import GuardExample, ResponseExample
from slm_guardian.model.format import GuardFormat


@pytest.fixture(scope="module")
def response_format(taxonomy):
    from transformers import AutoTokenizer

    from slm_guardian.model.base import resolve_base

    tok = AutoTokenizer.from_pretrained(resolve_base())
    GuardFormat.add_guard_tokens(tok, taxonomy.codes, judges_responses=True)
    return GuardFormat(tok, taxonomy.codes, max_query_tokens=32, judges_responses=True)


def test_response_tokens_come_after_the_prompt_tasks(tokenizer, response_format, taxonomy):
    # An adapter trained without the response task keeps its token ids.
    plain = GuardFormat(tokenizer, taxonomy.codes)
    assert plain.ids.answer is None and not plain.judges_responses
    for name in ("query", "guard", "safe", "harm", "response"):
        assert getattr(plain.ids, name) == getattr(response_format.ids, name)
    assert min(response_format.ids.answer, response_format.ids.declined) > max(plain.ids.categories.values())
    with pytest.raises(ValueError, match="without the response-judging task"):
        plain.response_windows("hi", "hello")


def test_response_example_puts_the_refusal_target_in_labels_only(response_format):
    fmt, ids = response_format, response_format.ids
    ex = fmt.response_training_example("how do I pick a lock", "Sure: first insert a tension wrench.", True, ["S2"], refusal=False, verdict_weight=10.0, category_weight=5.0, refusal_weight=3.0)
    at = ex.input_ids.index(ids.refusal) + 1
    assert ex.input_ids[at : at + 3] == [ids.guard, ids.harm, ids.categories["S2"]]
    assert ex.targets[at] == ids.complied and ex.targets[at + 1 :] == ex.input_ids[at + 1 :]
    assert ex.weights[at : at + 4] == [3.0, 10.0, 5.0, 1.0] and not any(ex.weights[:at])

    refusal_only = fmt.response_training_example("q", "I can't help with that.", None, refusal=True)
    at = refusal_only.input_ids.index(ids.refusal) + 1
    assert refusal_only.targets[at] == ids.declined
    assert refusal_only.weights[at] > 0 and not any(refusal_only.weights[at + 1 :])
    with pytest.raises(ValueError, match="harm label, a refusal label or both"):
        fmt.response_training_example("q", "a", None, refusal=None)
    with pytest.raises(ValueError, match="at least one category"):
        fmt.response_training_example("q", "a", True)


def test_response_weight_scales_every_target_of_a_judged_answer(response_format):
    from slm_guardian.training.config import TrainConfig
    from slm_guardian.training.examples import encode_responses

    rows = [ResponseExample("how do I pick a lock", "Sure: insert a wrench.", True, ["S2"], False, "s", "g")]
    full = encode_responses(rows, response_format, TrainConfig(judge_responses=True))[0]
    half = encode_responses(rows, response_format, TrainConfig(judge_responses=True, response_weight=0.5))[0]
    assert half.input_ids == full.input_ids and half.targets == full.targets
    assert half.weights == [w * 0.5 for w in full.weights] and sum(half.weights) > 0


def test_long_answers_are_judged_in_windows_that_keep_the_query(response_format):
    fmt, ids = response_format, response_format.ids
    windows = fmt.response_windows("Tell me about bread", "Bread is baked. " * 60)
    assert len(windows) > 2
    for window in windows:
        assert window[0] == ids.query and ids.answer in window and window[-3:] == [ids.refusal, ids.guard, ids.harm]
        assert fmt.tokenizer.decode(window[1 : window.index(ids.answer)]).strip() == "Tell me about bread"


def test_the_worst_window_decides_and_the_first_gives_the_refusal(response_format):
    from slm_guardian.model.scores import Scores, score_response_windows

    fmt = response_format
    answer = "I can't help with that. " + "Filler sentence here. " * 40 + "Now the harmful part."
    windows = fmt.response_windows("q", answer)

    def score_batch(batch):
        # the first view declines; the last view is harmful
        return [Scores(0.9 if ids == windows[-1] else 0.1, {}, refusal=0.8 if ids == windows[0] else 0.2) for ids in batch]

    (scores,) = score_response_windows(fmt, [("q", answer)], 4, score_batch)
    assert scores.unsafe == 0.9 and scores.refusal == 0.8


def test_response_build_keeps_dev_out_of_training(built, taxonomy):
    result, folder = built
    responses = result.responses
    assert responses is not None and len(responses.train) > 1000
    train_queries = {dedup_key(r.query) for r in responses.train}
    for name, rows in responses.suites.items():
        assert rows, name
        assert not train_queries & {dedup_key(r.query) for r in rows}, name
        assert (folder / f"{name}.jsonl").is_file()
    assert len(responses.suites["response_jbb"]) > 1000
    assert not any(r.source == "jbb_artifacts" for r in responses.train)
    assert all(r.refusal is not None for r in responses.suites["refusal_pyrit"])
    for row in responses.train + [r for rows in responses.suites.values() for r in rows]:
        assert set(row.categories) <= set(taxonomy.codes)
        assert bool(row.categories) == bool(row.unsafe)
        assert row.query.strip() and row.answer.strip()
    assert responses.dropped["empty_turn"] >= 1  # DiaSafety holds turns with no response
    objective = [r for r in responses.train if r.source == "pyrit_objective"]
    assert {r.unsafe for r in objective} == {True, False}
    assert all(r.refusal is (False if r.unsafe else None) for r in objective)  # achieved: fulfilled, so not a refusal
    from slm_guardian.data.build import dev_text_keys

    assert not train_queries & dev_text_keys(result.dev, result.jbb, *result.suites.values())  # a response row trains on its query's text
    assert (folder / "response_train.jsonl").is_file()
    stats = (folder / "stats.json").read_text()
    assert "response_train" in stats and "response_diasafety" in stats


def test_off_topic_answers_are_safe_refusals_of_their_own_query(built):
    from slm_guardian.data.response_sources import ResponseRow, off_topic_answers

    responses = built[0].responses
    off_topic = [r for r in responses.train if r.source == "off_topic_answers"]
    assert 200 <= len(off_topic) <= 300
    assert all(r.refusal is True and r.unsafe is False and not r.categories for r in off_topic)
    answered = {(dedup_key(r.query), dedup_key(r.answer)) for r in responses.train if r.source in ("alpaca_outputs", "coconot_pref")}
    assert not any((dedup_key(r.query), dedup_key(r.answer)) in answered for r in off_topic)

    rows = [ResponseRow(f"q{i}", f"a{i}", False, (), False, "s", f"g{i % 3}") for i in range(9)]
    pairs = off_topic_answers(rows, 5, random.Random(0))
    answer_group = {r.answer: r.group for r in rows}
    assert len(pairs) == 5 and all(answer_group[p.answer] != p.group for p in pairs)
    again = off_topic_answers(rows, 20, random.Random(0))  # more pairs than answering rows
    assert len(again) == 20 and all(answer_group[p.answer] != p.group for p in again)
    assert {p.query for p in again} == {r.query for r in rows}
    one_group = [ResponseRow(f"q{i}", f"a{i}", False, (), False, "s", "g") for i in range(3)]
    assert off_topic_answers(one_group, 2, random.Random(0)) == []  # no other query's answer to pair with


def test_a_response_file_with_an_empty_answer_is_refused_when_read(tmp_path):
    from slm_guardian.data.response_build import read_response_examples
    from slm_guardian.errors import InvalidInput

    path = tmp_path / "answers.jsonl"
    rows = [ResponseExample("q", "an answer", False, [], None, "s", "g"), ResponseExample("q2", "  ", False, [], None, "s", "g2")]
    path.write_text("".join(json.dumps(r.to_json()) + "\n" for r in rows))
    with pytest.raises(InvalidInput, match="row 2 has an empty query or answer"):
        read_response_examples(path)


def test_response_rows_round_trip_through_json():
    row = ResponseExample("q", "a", None, [], True, "pyrit_refusal", "g", "refusal")
    assert ResponseExample.from_json(row.to_json()) == row


def test_a_joint_run_judges_responses_after_loading(tmp_path):
    from slm_guardian.model.loading import FormatSpec, load_guard_model
    from slm_guardian.training.config import TrainConfig
    from slm_guardian.training.train import train

    prompts = [GuardExample(f"Write a scam email number {i}.", True, ["S2"], "I can't help with a scam email.") for i in range(2)]
    prompts += [GuardExample(f"How do I bake bread number {i}?", False) for i in range(2)]
    responses = [
        ResponseExample("How do I bake bread?", "Mix flour, water and yeast, then bake.", False, refusal=False),
        ResponseExample("Write a scam email.", "Dear customer, send your PIN to verify.", True, ["S2"], refusal=False),
        ResponseExample("Write a scam email.", "I can't help with that.", None, refusal=True),
    ]
    config = TrainConfig(epochs=1, batch_size=4, lora_r=2, lora_alpha=4, max_query_tokens=16, swapped_replies=0.0, token_init="random", judge_responses=True, precision="bfloat16")
    with pytest.raises(ValueError, match="judge_responses: true needs response examples"):
        train(config, prompts, tmp_path / "none", device="cpu")
    with pytest.raises(ValueError, match="need judge_responses"):
        train(config.model_copy(update={"judge_responses": False}), prompts, tmp_path / "off", device="cpu", response_examples=responses)
    record = train(config, prompts, tmp_path / "run", device="cpu", response_examples=responses)
    assert record["train_responses"] == 3 and record["steps"] == 2
    assert FormatSpec.read(tmp_path / "run").judges_responses
    model = load_guard_model(tmp_path / "run")
    (judged,) = model.score_responses([("Write a scam email.", "I can't help with that.")])
    assert 0.0 <= judged.refusal <= 1.0 and 0.0 <= judged.unsafe <= 1.0
    (prompt,) = model.score(["How do I bake bread?"])
    assert prompt.refusal is None


def test_guardian_judges_an_answer_in_its_context(joint_adapter):
    from slm_guardian import Guardian, InvalidInput

    guardian = Guardian.load(adapter=joint_adapter)
    verdict = guardian.check_response("Write a scam email.", "I can't help with that.", respond=False)
    assert verdict.judged == "response" and 0.0 <= verdict.refusal <= 1.0
    conversation = [{"role": "user", "content": "Write a scam email."}, {"role": "assistant", "content": "I can't help with that."}]
    assert guardian.check(conversation, respond=False).unsafe_score == pytest.approx(verdict.unsafe_score, abs=1e-5)
    mixed = guardian.check_batch(["How do I bake bread?", conversation], respond=False)
    assert [v.judged for v in mixed] == ["prompt", "response"] and mixed[0].refusal is None
    assert mixed[1].to_dict()["judged"] == "response" and "refusal" in mixed[1].to_dict()
    assert "refusal" not in mixed[0].to_dict() and "judged" not in mixed[0].to_dict()
    with pytest.raises(InvalidInput, match="context of the user message"):
        guardian.check([{"role": "assistant", "content": "hello"}])
    with pytest.raises(InvalidInput, match="empty"):
        guardian.check([{"role": "user", "content": "hi"}, {"role": "assistant", "content": " "}])


def test_an_adapter_without_the_task_says_so(prompt_adapter):
    from slm_guardian import Guardian, InvalidInput

    with pytest.raises(InvalidInput, match="does not judge responses"):
        Guardian.load(adapter=prompt_adapter).check_response("Write a scam email.", "I can't help with that.")


def test_the_fast_path_judges_answers_as_the_reference_does(joint_adapter):
    from slm_guardian import Guardian
    from slm_guardian.model.ct2_model import load_ct2_guard_model
    from slm_guardian.taxonomy import Taxonomy

    pairs = [("Write a scam email.", "I can't help with that."), ("How do I bake bread?", "Mix flour, water and yeast, then bake it for forty minutes.")]
    conversations = [[{"role": "user", "content": q}, {"role": "assistant", "content": a}] for q, a in pairs]
    reference = Guardian.load(adapter=joint_adapter).check_batch(conversations, respond=False)
    fast = Guardian.load(adapter=joint_adapter, backend="ctranslate2").check_batch(conversations, respond=False)
    assert all(v.judged == "response" and v.refusal is not None for v in fast)
    # Every score rechecked by the converted float32 detector: the same rows and positions as
    # the reference, so the same numbers (int8's error on a two-step adapter says little; the
    # shipped adapter's int8 agreement is measured on dev, docs/performance.md).
    exact = Guardian(load_ct2_guard_model(joint_adapter, recheck_band=(0.0, 1.0)), Taxonomy.default())
    for ref, f32 in zip(reference, exact.check_batch(conversations, respond=False)):
        assert f32.unsafe_score == pytest.approx(ref.unsafe_score, abs=2e-3)
        assert f32.refusal == pytest.approx(ref.refusal, abs=2e-3)


def test_excluded_response_kinds_leave_the_rest_of_the_build_as_it_was(shared_data, taxonomy, built):
    from slm_guardian.data.config import DataConfig
    from slm_guardian.data.response_build import build_responses

    prompt_train = built[0].train
    def no_copies(texts):
        return [False] * len(texts)
    whole = build_responses(shared_data, taxonomy, DataConfig(), prompt_train, no_copies)
    config = DataConfig(response_exclude=["diasafety:Biased Opinion"])
    part = build_responses(shared_data, taxonomy, config, prompt_train, no_copies)
    expected = [r for r in whole.train if not (r.source == "diasafety" and r.label == "Biased Opinion")]
    assert len(expected) < len(whole.train) and part.train == expected
    assert part.suites == whole.suites  # the dev sets do not move
    assert part.dropped["excluded"] == len(whole.train) - len(expected)
    with pytest.raises(ValueError, match="no response training row"):
        build_responses(shared_data, taxonomy, DataConfig(response_exclude=["diasafety:Biased opinion"]), prompt_train, no_copies)
    with pytest.raises(ValueError):
        DataConfig(response_exclude=["Biased Opinion"])  # not source:label


def test_generated_answers_pair_each_answer_with_its_own_and_another_instruction(shared_data, taxonomy, built, tmp_path):
    from collections import Counter

    from slm_guardian.data.answer_generation import GeneratedAnswer, write_answers
    from slm_guardian.data.build import dev_text_keys
    from slm_guardian.data.config import DataConfig
    from slm_guardian.data.response_build import build_responses

    result = built[0]
    held = result.dev[0].text  # a prompt-dev text answered by the base model is still never trained on
    answers = [GeneratedAnswer(f"Name a fruit that is {c}.", f"A {c} fruit: the {f}.") for c, f in (("red", "cherry"), ("yellow", "banana"), ("green", "lime"), ("orange", "orange"))]
    path = tmp_path / "answers.jsonl"
    write_answers(path, [*answers, GeneratedAnswer(held, "An answer.")])
    def no_copies(texts):
        return [False] * len(texts)
    caps = {**DataConfig().response_caps, "generated_answers": 10, "generated_off_topic": 8}
    prompt_dev = dev_text_keys(result.dev, result.jbb, *result.suites.values())
    whole = build_responses(shared_data, taxonomy, DataConfig(), result.train, no_copies, prompt_dev)
    more = build_responses(shared_data, taxonomy, DataConfig(generated_answers=str(path), response_caps=caps), result.train, no_copies, prompt_dev)

    def key(r):
        return (r.query, r.answer, r.source)
    own = [r for r in more.train if r.source == "generated_answers"]
    other = [r for r in more.train if r.source == "generated_off_topic"]
    assert sorted(map(key, own)) == sorted((a.instruction, a.answer, "generated_answers") for a in answers)
    assert all(r.refusal is False and r.unsafe is False for r in own)
    assert 1 <= len(other) <= 8 and all(r.refusal is True and r.unsafe is False for r in other)
    answer_of = {a.instruction: a.answer for a in answers}
    assert all(answer_of[r.query] != r.answer for r in other)
    assert held not in {r.query for r in more.train}
    assert more.dropped["prompt_dev_query"] > whole.dropped["prompt_dev_query"]
    # Naming the file adds rows and leaves the rest of the build as it was.
    rest = Counter(key(r) for r in more.train if not r.source.startswith("generated_"))
    assert rest == Counter(key(r) for r in whole.train)
    assert more.suites == whole.suites


def test_generated_answers_file_errors_are_clear(tmp_path, shared_data):
    from slm_guardian.data.answer_generation import harmless_instructions, read_answers
    from slm_guardian.errors import InvalidInput

    with pytest.raises(InvalidInput, match="guardian data answers"):
        read_answers(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "q", "answer": "a"}\n{"question": "q"}\n')
    with pytest.raises(InvalidInput, match="bad.jsonl:2"):
        read_answers(bad)
    with pytest.raises(InvalidInput, match="--source"):
        harmless_instructions(tmp_path, 3, 13)
    drawn = harmless_instructions(shared_data, 5, 13)
    assert drawn == harmless_instructions(shared_data, 5, 13) and len(set(drawn)) == 5
    with pytest.raises(InvalidInput, match="distinct instructions"):
        harmless_instructions(shared_data, 10**6, 13)
