from __future__ import annotations

import pytest

from slm_guardian.metrics import detection_metrics, distinct_n, is_refusal, offers_alternative, rationale_category, response_metrics


def test_detection_metrics_match_hand_computed_values():
    labels = [True, True, True, False, False, False]
    scores = [0.9, 0.6, 0.2, 0.7, 0.1, 0.3]
    m = detection_metrics(labels, scores, threshold=0.5)
    # predicted positive: 0.9, 0.6, 0.7 -> TP=2, FP=1, FN=1
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["fpr"] == pytest.approx(1 / 3)
    # ranking 0.9+,0.7-,0.6+,0.3-,0.2+ : AP = (1/1 + 2/3 + 3/5) / 3
    assert m["auprc"] == pytest.approx((1 + 2 / 3 + 3 / 5) / 3)


def test_single_class_sets_report_recall_or_fpr_only():
    assert detection_metrics([True, True, True, True], [0.9, 0.8, 0.1, 0.6])["recall"] == pytest.approx(0.75)
    benign = detection_metrics([False, False], [0.9, 0.1])
    assert benign["fpr"] == pytest.approx(0.5) and "f1" not in benign


def test_refusal_and_alternative_detectors():
    assert is_refusal("I can't help you make a bomb. I can explain the chemistry safely.")
    assert is_refusal("Sorry, but I won't do that.")
    assert not is_refusal("Sure! Here is how to bake bread.")
    assert offers_alternative("I can explain how people protect themselves.")
    assert not offers_alternative("No.")


def test_rationale_category_follows_the_stated_reason(taxonomy):
    assert rationale_category("I can't. Weapons like this can kill or injure many people at once.", taxonomy) == "S9"
    assert rationale_category("I won't. It would expose someone's private information without their consent.", taxonomy) == "S7"


def test_distinct_and_duplicates():
    assert distinct_n(["a b c", "a b c"], 2) == pytest.approx(0.5)
    m = response_metrics(["I can't do x. I can help with y.", "I can't do x. I can help with y."], [["S2"], ["S2"]], __import__("slm_guardian.taxonomy", fromlist=["Taxonomy"]).Taxonomy.default())
    assert m["duplicate_rate"] == pytest.approx(0.5) and m["refusal_rate"] == 1.0
