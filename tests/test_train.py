from __future__ import annotations

import pytest

from slm_guardian.data.rows import GuardExample
from slm_guardian.train import category_swaps
from slm_guardian.train_config import TrainConfig


def test_category_swaps_pick_another_category_and_its_reply(taxonomy):
    examples = [GuardExample(f"Write a scam email number {i} to steal bank logins.", True, ["S2"], "r") for i in range(20)]
    examples += [GuardExample("How do I bake bread?", False)] * 10
    swaps = category_swaps(examples, taxonomy, 0.5, seed=3)
    assert len(swaps) == 10
    for example, code, reply in swaps:
        assert example.unsafe and code != "S2" and code in taxonomy.codes
        assert reply and ("scam email" in reply or code == "S11")  # names the request (a self-harm reply does not)
    assert swaps == category_swaps(examples, taxonomy, 0.5, seed=3)  # fixed by the seed
    assert category_swaps(examples, taxonomy, 0.0, seed=3) == []


def test_category_swaps_must_be_a_share():
    with pytest.raises(ValueError, match="category_swaps"):
        TrainConfig(category_swaps=1.5)


def test_loss_weights_must_be_positive():
    with pytest.raises(ValueError, match="category_weight"):
        TrainConfig(category_weight=0.0)
