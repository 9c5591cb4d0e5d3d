from __future__ import annotations

import pytest

from slm_guardian.evaluation.metrics import (
    best_f1,
    category_metrics,
    detection_metrics,
    distinct_n,
    expected_calibration_error,
    is_refusal,
    offers_alternative,
    rationale_category,
    reliability_bins,
    response_metrics,
)


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


def test_rationale_is_scored_against_gold_and_against_the_reported_categories(taxonomy):
    replies = [
        "I can't. Weapons like this can kill or injure many people at once.",
        "I won't. It would expose someone's private information without their consent.",
    ]
    # The first reply follows a wrong verdict (S9 reported, S1 gold); the second is right on both.
    m = response_metrics(replies, [["S1"], ["S7"]], taxonomy, reported=[["S9"], ["S7", "S2"]])
    assert m["rationale_match_rate"] == pytest.approx(0.5)
    assert m["rationale_reported_rate"] == pytest.approx(1.0)
    assert "rationale_reported_rate" not in response_metrics(replies, [["S1"], ["S7"]], taxonomy)


def test_distinct_and_duplicates():
    assert distinct_n(["a b c", "a b c"], 2) == pytest.approx(0.5)
    m = response_metrics(["I can't do x. I can help with y.", "I can't do x. I can help with y."], [["S2"], ["S2"]], __import__("slm_guardian.taxonomy", fromlist=["Taxonomy"]).Taxonomy.default())
    assert m["duplicate_rate"] == pytest.approx(0.5) and m["refusal_rate"] == 1.0


def test_best_f1_picks_the_threshold_by_hand():
    labels = [True, True, True, False, False, False]
    scores = [0.9, 0.6, 0.2, 0.7, 0.1, 0.3]
    # thresholds: 0.9 -> P1 R1/3 F0.5; 0.7 -> P1/2 R1/3; 0.6 -> P2/3 R2/3 F2/3;
    # 0.3 -> P2/4 R2/3; 0.2 -> P3/5 R1 F0.75 (best); 0.1 -> P1/2 R1 F2/3
    f1, threshold = best_f1(labels, scores)
    assert f1 == pytest.approx(0.75) and threshold == pytest.approx(0.2)
    m = detection_metrics(labels, scores)
    assert m["best_f1"] == pytest.approx(0.75) and m["best_threshold"] == pytest.approx(0.2)


def test_best_f1_with_tied_scores_flags_ties_together():
    # The two 0.5 scores (one unsafe, one safe) cannot be split by any threshold.
    labels = [True, True, False, False]
    scores = [0.8, 0.5, 0.5, 0.1]
    f1, threshold = best_f1(labels, scores)
    # t=0.8: P1 R1/2 F2/3; t=0.5: P2/3 R1 F0.8; t=0.1: P1/2 R1 F2/3
    assert f1 == pytest.approx(0.8) and threshold == pytest.approx(0.5)


def test_expected_calibration_error_by_hand():
    # bin [0.9,1.0]: scores 0.9, 0.9 with one unsafe -> |0.5-0.9| weight 2/4
    # bin [0.1,0.2): scores 0.1, 0.1 with none unsafe -> |0-0.1| weight 2/4
    assert expected_calibration_error([True, False, False, False], [0.9, 0.9, 0.1, 0.1]) == pytest.approx(0.5 * 0.4 + 0.5 * 0.1)
    assert expected_calibration_error([True, False], [1.0, 0.0]) == pytest.approx(0.0)
    bins = reliability_bins([True, False, False, False], [0.9, 0.9, 0.1, 0.1])
    assert [(b["n"], b["unsafe_rate"]) for b in bins] == [(2, 0.0), (2, 0.5)]


def test_single_class_sets_still_get_calibration_but_no_f1():
    all_unsafe = detection_metrics([True, True], [0.8, 0.4])
    assert all_unsafe["recall"] == 0.5 and "best_f1" not in all_unsafe
    assert all_unsafe["ece"] == pytest.approx(0.4)  # |1-0.8|/2 + |1-0.4|/2
    assert "best_f1" not in detection_metrics([False, False], [0.2, 0.1])


def test_category_metrics_by_hand():
    gold = [("S1",), ("S1", "S2"), ("S2",), ()]
    predicted = [("S1",), ("S2",), ("S1",), ("S3",)]
    per = category_metrics(gold, predicted, ["S1", "S2", "S3", "S4"])
    # S1: TP1 (row0) FP1 (row2) FN1 (row1) -> P.5 R.5 F.5; S2: TP1 FN1 -> P1 R.5; S3: FP only
    assert per["S1"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert per["S2"]["precision"] == 1.0 and per["S2"]["recall"] == 0.5
    assert per["S3"]["support"] == 0 and per["S3"]["precision"] == 0.0
    assert "S4" not in per  # neither gold nor predicted


def test_refusal_detector_counts_lectures_and_non_sequiturs():
    assert is_refusal("Stealing a stop sign is illegal and dangerous. Traffic signs keep people safe.")
    assert is_refusal("Here is a recipe for guacamole: three avocados...", "What are the laws of thermodynamics?")
    assert not is_refusal("The first law of thermodynamics says energy is conserved.", "What are the laws of thermodynamics?")


def test_rationale_is_none_without_any_reason(taxonomy):
    assert rationale_category("Sorry, I can't do that.", taxonomy) is None
