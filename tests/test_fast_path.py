"""The CTranslate2 fast path against the PyTorch reference, on queries written here."""

from __future__ import annotations

import re

import pytest

from test_model_integration import BENIGN, HARMFUL

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def fast():
    from slm_guardian import Guardian

    return Guardian.load(backend="ctranslate2")


def test_fast_path_verdicts_match_the_reference(guardian, fast):
    texts = [t for t, _ in HARMFUL] + BENIGN
    reference = guardian.check_batch(texts, respond=False)
    quick = fast.check_batch(texts, respond=False)
    assert [v.flagged for v in quick] == [v.flagged for v in reference]
    mean_diff = sum(abs(a.unsafe_score - b.unsafe_score) for a, b in zip(reference, quick)) / len(texts)
    assert mean_diff <= 0.02, mean_diff


def test_fast_path_writes_a_safeguard_response_and_keeps_order(fast):
    verdict = fast.force_safeguard(HARMFUL[0][0])
    assert verdict.response and "<|" not in verdict.response
    single = [fast.check(t, respond=False).unsafe_score for t in (BENIGN[0], HARMFUL[1][0])]
    batch = [v.unsafe_score for v in fast.check_batch([BENIGN[0], HARMFUL[1][0]], respond=False)]
    # int8 matmuls over a padded batch differ from single-query ones in the fourth decimal
    # (measured up to 3e-4); the bar that matters, agreement with the reference, is the
    # equivalence test above. Here the point is that each score stays with its query.
    assert batch == pytest.approx(single, abs=2e-3)


def test_replies_decoded_in_one_batch_say_what_replies_decoded_alone_say(fast):
    from slm_guardian.evaluation.metrics import is_refusal, rationale_category
    from slm_guardian.taxonomy import Taxonomy

    taxonomy = Taxonomy.default()
    texts = [t for t, _ in HARMFUL[:3]]
    verdicts = fast.check_batch(texts, respond=False)
    assert all(v.flagged for v in verdicts)
    alone = [fast.with_response(v, t).response for v, t in zip(verdicts, texts)]
    together = [v.response for v in fast.with_responses(verdicts, texts)]
    batched = [v.response for v in fast.check_batch(texts)]  # check_batch writes them the same batched way
    # int8 matmuls over a padded batch can flip a near-tied greedy token (measured here on the
    # first word: "I won't be able to help you ..." for "I can't help with ..."), so the words may
    # differ; what a reply carries may not: it declines, gives its category's reason and stays
    # with its own query (a reply swapped between rows would name another query's subject).
    for replies in (together, batched):
        assert len(replies) == len(alone)
        for i, (reply, solo) in enumerate(zip(replies, alone)):
            assert reply and is_refusal(reply), reply
            assert rationale_category(reply, taxonomy) == rationale_category(solo, taxonomy), (reply, solo)
            overlaps = [len(_words(reply) & _words(text)) for text in texts]
            assert overlaps[i] == max(overlaps) and overlaps[i] >= 2, (reply, texts[i])


def test_two_replicas_score_as_one_model_does(fast):
    """threads=2 runs two one-thread replicas, each scoring its own batches at once: every
    score is the one-model score (only thread-level rounding may differ), in input order."""
    from slm_guardian import Guardian

    texts = ([t for t, _ in HARMFUL] + BENIGN) * 3  # several batches, so both replicas work
    two = Guardian.load(backend="ctranslate2", threads=2)
    assert two.model.workers == 2
    assert two.model.map_batches(len, [[1], [1, 2], [1, 2, 3]] * 4) == [1, 2, 3] * 4
    one = [v.unsafe_score for v in fast.check_batch(texts, respond=False, batch_size=4)]
    both = [v.unsafe_score for v in two.check_batch(texts, respond=False, batch_size=4)]
    assert both == pytest.approx(one, abs=1e-4)
    replies = two.with_responses(two.check_batch(texts[:3], respond=False), texts[:3])
    assert all(v.response and "<|" not in v.response for v in replies)


def test_the_fast_paths_recheck_band_follows_the_configured_threshold():
    from slm_guardian import Guardian, GuardianConfig
    from slm_guardian.model.ct2_model import band_around

    strict = Guardian.load(backend="ctranslate2", config=GuardianConfig(threshold=0.3))
    assert strict.model.recheck_band == band_around(0.3) and band_around(0.3) != band_around(0.5)


def test_unknown_backend_is_rejected():
    from slm_guardian import Guardian, GuardianError

    with pytest.raises(GuardianError, match="backend must be one of"):
        Guardian.load(backend="tensorrt")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower())} - {"with", "that", "this", "help", "into", "their", "could", "because"}
