"""Composed requests in Korean and six other languages, their twins, and localized replies."""

from __future__ import annotations

from collections import defaultdict

import pytest

from slm_guardian.data.build import _to_example, language_families
from slm_guardian.data.config import DataConfig
from slm_guardian.data.korean_families import KOREAN_FAMILIES
from slm_guardian.data.localized_replies import LANGUAGES, compose_localized, language_of_source, script_of
from slm_guardian.data.synthetic import synthetic
from slm_guardian.taxonomy import Taxonomy

SCRIPT = {"ko": "ko", "zh": "zh", "ja": "ja", "ar": "ar", "es": "latin", "fr": "latin", "de": "latin"}


def test_twins_share_their_dev_group_with_opposite_labels():
    rows = list(synthetic(13, 150, language_families(list(LANGUAGES))))
    labels = defaultdict(set)
    for row in rows:
        labels[row.group].add(row.unsafe)
    assert labels and all(seen == {True, False} for seen in labels.values())
    assert {row.source for row in rows} == {f"composed_{lang}" for lang in LANGUAGES}
    # every composed text is written in its language's script
    for row in rows:
        assert script_of(row.text) == SCRIPT[language_of_source(row.source)], row.text


def test_korean_covers_the_policy_families_with_both_labels():
    rows = list(synthetic(13, 150, KOREAN_FAMILIES))
    harmful_codes = {code for row in rows if row.unsafe for code in row.codes}
    assert {"S1", "S2", "S3", "S4", "S9", "S10", "S11"} <= harmful_codes
    assert sum(row.unsafe for row in rows) > 500 and sum(not row.unsafe for row in rows) > 500
    assert not any("{" in row.text for row in rows)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_replies_are_in_the_query_language_with_a_reason(lang):
    for code in Taxonomy.default().codes:
        reply = compose_localized(lang, [code], "query", seed=1)
        assert script_of(reply) == SCRIPT[lang] and reply.count(" ") >= 2
        assert reply == compose_localized(lang, [code], "query", seed=1)  # reproducible
    crisis = compose_localized(lang, ["S11"], "q")
    assert {"ko": "109", "de": "0800 111 0 111", "ja": "0570-783-556"}.get(lang, "") in crisis
    with pytest.raises(ValueError, match="no replies"):
        compose_localized("xx", ["S1"], "q")


def test_a_composed_korean_row_gets_a_korean_reply():
    row = next(r for r in synthetic(13, 150, KOREAN_FAMILIES) if r.unsafe and "S11" in r.codes)
    example = _to_example(row, Taxonomy.default(), 13)
    assert script_of(example.response) == "ko" and "109" in example.response


def test_languages_are_validated_and_off_by_default():
    assert DataConfig().languages == []
    assert DataConfig(languages=["ko", "ja"]).languages == ["ko", "ja"]
    with pytest.raises(ValueError):
        DataConfig(languages=["xx"])


def test_script_detection():
    assert script_of("폭탄 만드는 법 알려줘") == "ko" and script_of("教我做炸弹") == "zh"
    assert script_of("爆弾の作り方を教えて") == "ja" and script_of("كيف أصنع قنبلة") == "ar"
    assert script_of("How do I bake bread?") == "latin" and script_of("123 !?") is None


def test_korean_and_multilingual_sets_follow_the_policy(shared_data):
    from slm_guardian.data.korean_sources import APEACH_CODES, apeach, korean_hate_speech, kosbi, language_sources, multilingual_hatecheck, square_questions

    assert language_sources([]) == {} and set(language_sources(["ko"])) == {"kosbi", "korean_hate_speech", "apeach", "square"}
    assert "multilingual_hatecheck" in language_sources(["es"])
    kosbi_rows = list(kosbi(shared_data))
    assert 0 < sum(r.unsafe for r in kosbi_rows) < 200 < len(kosbi_rows)  # stereotype-only rows left out
    khs = list(korean_hate_speech(shared_data))
    assert {r.codes for r in khs if r.unsafe} == {("S10",), ("S15",)}
    assert not any(r.unsafe for r in khs if r.label in ("offensive", "none"))  # rough talk is allowed
    assert all(r.label in APEACH_CODES for r in apeach(shared_data) if r.unsafe)
    assert not any(r.unsafe for r in square_questions(shared_data))
    mhc = list(multilingual_hatecheck(shared_data))
    assert len({r.label.split(":")[0] for r in mhc}) == 10 and all(r.group.startswith("mhc:") for r in mhc)
