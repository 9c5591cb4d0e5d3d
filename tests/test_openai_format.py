"""Verdicts in OpenAI's moderation format: only the distinctions the taxonomy can make."""

from __future__ import annotations

from slm_guardian.serving.openai_format import moderation_result
from slm_guardian.verdict import CategoryScore, Verdict


def _verdict(taxonomy, code: str, score: float) -> Verdict:
    scores = {c: 0.0 for c in taxonomy.codes}
    scores[code] = score
    return Verdict(flagged=True, unsafe_score=0.95, categories=[CategoryScore(code, taxonomy[code].name, score)], category_scores=scores)


def test_self_harm_sets_only_the_self_harm_category(taxonomy):
    result = moderation_result(_verdict(taxonomy, "S11", 0.9), taxonomy)
    flags = result["categories"]
    assert flags["self-harm"] and not flags["self-harm/intent"] and not flags["self-harm/instructions"]
    assert result["category_scores"]["self-harm"] == 0.9 and result["category_scores"]["self-harm/intent"] == 0.0
    assert [k for k, v in flags.items() if v] == ["self-harm"]


def test_hate_does_not_claim_threatening(taxonomy):
    flags = moderation_result(_verdict(taxonomy, "S10", 0.8), taxonomy)["categories"]
    assert flags["hate"] and not flags["hate/threatening"] and not flags["harassment/threatening"]


def test_a_safe_verdict_sets_nothing(taxonomy):
    verdict = Verdict(flagged=False, unsafe_score=0.01, categories=[], category_scores={c: 0.001 for c in taxonomy.codes})
    result = moderation_result(verdict, taxonomy)
    assert not result["flagged"] and not any(result["categories"].values())
    assert result["slm_guardian"]["response"] is None
