from __future__ import annotations

import pytest

from slm_guardian.evaluation.breakdown import category_rates, category_table, group_rates, group_table


def test_group_rates_split_recall_and_safe_flag_rate_per_group():
    labels = [True, True, False, False, True, False]
    flagged = [True, False, True, False, True, False]
    groups = ["S4", "S4", "S4", "S4", "S11", None]
    rates = group_rates(labels, flagged, groups)
    assert set(rates) == {"S4", "S11"}  # rows without a group are left out
    assert rates["S4"] == {"unsafe": 2, "safe": 2, "recall": 0.5, "safe_flag_rate": 0.5}
    assert rates["S11"]["recall"] == 1.0 and rates["S11"]["safe_flag_rate"] is None
    table = group_table("policy area", rates)
    assert "| S4 | 2 | 50.0% | 2 | 50.0% |" in table and "| S11 | 1 | 100.0% | 0 | – |" in table


def test_category_rates_count_recall_under_any_category_and_fpr_by_named_category():
    labels = [True, True, True, False, False, False, False]
    flagged = [True, True, False, True, False, True, False]
    gold = [("S9",), ("S9", "S1"), ("S1",), (), (), (), ()]
    predicted = [("S1",), ("S9",), (), ("S9",), (), ("S10",), ()]
    rates = category_rates(labels, flagged, gold, predicted, ["S1", "S9", "S10", "S12"])
    assert rates["S9"]["recall"] == 1.0  # flagged, even when under another category
    assert rates["S1"]["recall"] == pytest.approx(0.5)
    assert rates["S9"]["fpr"] == pytest.approx(0.25) and rates["S10"]["fpr"] == pytest.approx(0.25)
    assert rates["S10"]["recall"] is None and "S12" not in rates
    assert "| S9 | 2 | 100.0% | 25.0% |" in category_table("category", rates)
