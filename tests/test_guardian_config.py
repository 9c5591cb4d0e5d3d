"""Threshold and category-switching logic, over a stand-in model with chosen scores."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from slm_guardian.guardian import NEUTRAL_REPLY, Guardian, InvalidInput, to_text
from slm_guardian.guardian_config import ConfigError, GuardianConfig
from slm_guardian.model.scores import Scores


class FixedScores:
    """Returns preset scores per text, and records which replies were requested."""

    def __init__(self, codes, table):
        self.fmt = SimpleNamespace(codes=tuple(codes))
        self.table = table
        self.replies = []

    def score(self, texts, batch_size=16):
        return [self.table[t] for t in texts]

    def score_with_cache(self, text):
        return self.table[text], None

    def respond(self, text, codes, cache=None):
        self.replies.append((text, tuple(codes)))
        return f"I can't help with that ({','.join(codes)})."


@pytest.fixture
def model(taxonomy):
    return FixedScores(
        taxonomy.codes,
        {
            "bomb": Scores(0.9, {**{c: 0.0 for c in taxonomy.codes}, "S9": 0.7, "S1": 0.3}),
            "lyrics": Scores(0.8, {**{c: 0.0 for c in taxonomy.codes}, "S8": 1.0}),
            "bread": Scores(0.02, {**{c: 0.0 for c in taxonomy.codes}, "S2": 1.0}),
        },
    )


def test_flagged_verdict_lists_categories_by_joint_score(model, taxonomy):
    verdict = Guardian(model, taxonomy).check("bomb")
    assert verdict.flagged
    assert verdict.category_codes == ["S9", "S1"]
    assert verdict.category_scores["S9"] == pytest.approx(0.63)
    assert sum(verdict.category_scores.values()) == pytest.approx(0.9)
    assert verdict.response == "I can't help with that (S9,S1)."


def test_safe_verdict_writes_no_response(model, taxonomy):
    verdict = Guardian(model, taxonomy).check("bread")
    assert not verdict.flagged and verdict.response is None and verdict.categories == []
    assert model.replies == []


def test_global_and_per_category_thresholds(model, taxonomy):
    assert not Guardian(model, taxonomy, GuardianConfig(threshold=0.95)).check("bomb").flagged
    strict_s1 = Guardian(model, taxonomy, GuardianConfig(category_thresholds={"S1": 0.5})).check("bomb")
    assert strict_s1.category_codes == ["S9"]


def test_disabled_category_is_never_flagged(model, taxonomy):
    guardian = Guardian(model, taxonomy, GuardianConfig(disabled=frozenset({"S8"})))
    assert not guardian.check("lyrics").flagged
    assert guardian.check("bomb").flagged


def test_force_safeguard_on_a_harmless_query_gives_a_neutral_reason(model, taxonomy):
    verdict = Guardian(model, taxonomy).force_safeguard("bread")
    assert not verdict.flagged and verdict.response == NEUTRAL_REPLY
    assert model.replies == []  # no reply written for a category that does not apply


def test_force_safeguard_on_a_flagged_query_writes_for_its_categories(model, taxonomy):
    verdict = Guardian(model, taxonomy).force_safeguard("bomb")
    assert verdict.response == "I can't help with that (S9,S1)."


def test_write_reply_uses_the_given_categories_and_rejects_unknown_ones(model, taxonomy):
    guardian = Guardian(model, taxonomy)
    assert guardian.write_reply("bread", ["S2"]) == "I can't help with that (S2)."
    with pytest.raises(InvalidInput, match="known categories"):
        guardian.write_reply("bread", ["S99"])


def test_self_harm_leads_over_specialised_advice_when_both_apply(taxonomy):
    scores = {c: 0.0 for c in taxonomy.codes}
    model = FixedScores(taxonomy.codes, {"pills": Scores(0.95, {**scores, "S6": 0.6, "S11": 0.4})})
    verdict = Guardian(model, taxonomy).check("pills")
    assert verdict.category_codes == ["S11", "S6"]
    assert model.replies == [("pills", ("S11", "S6"))]


def test_check_batch_keeps_order(model, taxonomy):
    verdicts = Guardian(model, taxonomy).check_batch(["bread", "bomb", "lyrics"], respond=False)
    assert [v.flagged for v in verdicts] == [False, True, True]
    assert all(v.response is None for v in verdicts)


def test_config_from_yaml(tmp_path, taxonomy, model):
    path = tmp_path / "guard.yaml"
    path.write_text("threshold: 0.7\ncategory_thresholds: {S6: 0.6}\ndisabled: [S8]\n")
    cfg = GuardianConfig.from_yaml(path)
    assert cfg.threshold == 0.7 and cfg.threshold_for("S6") == 0.6 and cfg.threshold_for("S1") == 0.1
    assert "S8" in cfg.disabled
    Guardian(model, taxonomy, cfg)  # codes are valid


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("threshold: 2", r"threshold: input should be less than or equal to 1 \(got 2\)"),
        ("threshold: yes", r"threshold: input should be a valid number \(got True\)"),
        ("thresold: 0.5", r"unknown keys \['thresold'\]; known: threshold, category_threshold"),
        ("category_thresholds: {S1: high}", r"category_thresholds.S1: input should be a valid number"),
        ("disabled: S8", "disabled: input should be a valid frozenset"),
        ("normalize: maybe", "normalize: input should be a valid boolean"),
        ("[1, 2]", "mapping"),
    ],
)
def test_bad_config_files(tmp_path, body, message):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message):
        GuardianConfig.from_yaml(path)


def test_unknown_category_in_config_is_rejected(model, taxonomy):
    with pytest.raises(ConfigError, match="S99"):
        Guardian(model, taxonomy, GuardianConfig(disabled=frozenset({"S99"})))


@pytest.mark.parametrize("bad", ["", "   \n", [], [{"role": "assistant", "content": "hi"}], [{"role": "user"}], 42, b"bytes"])
def test_bad_queries_raise_invalid_input(bad):
    with pytest.raises(InvalidInput):
        to_text(bad)


def test_text_cleanup_and_messages():
    assert to_text("a\x00b\ud800c") == "a b?c"
    convo = [{"role": "user", "content": "my neighbour is loud"}, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "how do I poison him"}]
    assert to_text(convo) == "my neighbour is loud\nhow do I poison him"
    with pytest.raises(InvalidInput, match="limit"):
        to_text("x" * 100_001)
