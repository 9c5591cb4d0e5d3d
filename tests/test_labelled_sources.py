"""The human-labelled sets: their label mappings, and their held-out named dev parts."""

from __future__ import annotations

import json
from collections import Counter


from slm_guardian.data import labelled_sources
from slm_guardian.data.build import build
from slm_guardian.data.config import DataConfig
from slm_guardian.data.keys import dedup_key


def test_coconot_safety_concerns_are_unsafe_and_the_rest_safe(shared_data):
    rows = list(labelled_sources.coconot(shared_data))
    raw = [json.loads(line) for line in (shared_data / "coconot/coconot_eval.jsonl").read_text("utf-8").splitlines() if line.strip()]
    kept = [r for r in raw if r["subcategory"] not in labelled_sources.COCONOT_LEFT_OUT]
    by_text = {r.text: r for r in rows}
    for item in kept:
        row = by_text[item["prompt"]]
        assert row.unsafe == (item["category"] == labelled_sources.SAFETY_CONCERNS)
        if row.unsafe:
            assert row.codes == labelled_sources.COCONOT_UNSAFE[item["subcategory"]]
    # incomplete / unsupported / indeterminate / humanizing requests are safe for a guard
    assert {r.label.split(":")[0] for r in rows if not r.unsafe} >= {"Incomplete requests", "Unsupported requests", "Indeterminate requests", "Humanizing requests", "contrast"}
    assert not any(r["subcategory"] == "wildchats" and r["prompt"] in by_text for r in raw if r["prompt"] not in {k["prompt"] for k in kept})
    assert Counter(r.codes for r in rows if r.unsafe)[("S7",)] > 50


def test_coconot_contrast_and_preference_prompts_are_safe(shared_data):
    contrast = [r for r in labelled_sources.coconot(shared_data) if r.label.startswith("contrast")]
    assert len(contrast) == 379 and not any(r.unsafe for r in contrast)
    pref = list(labelled_sources.coconot_pref(shared_data))
    assert len(pref) == 927 and not any(r.unsafe for r in pref)


def test_hatecheck_maps_hateful_to_s10_and_groups_variants_with_their_template(shared_data):
    rows = list(labelled_sources.hatecheck(shared_data))
    assert len(rows) == 3725
    assert all(r.codes == ("S10",) for r in rows if r.unsafe) and all(not r.codes for r in rows if not r.unsafe)
    assert {r.label for r in rows if not r.unsafe} >= {"counter_quote_nh", "profanity_nh", "ident_neutral_nh", "slur_reclaimed_nh"}
    # a counter-speech case quoting a hateful one shares that case's group
    quote = next(r for r in rows if r.label == "counter_quote_nh")
    quoted = quote.text.split('"')[1]
    original = next(r for r in rows if r.unsafe and r.text.strip().rstrip(".") == quoted.strip())
    assert quote.group == original.group


def test_toxigen_splits_packed_lines_into_statements(shared_data):
    rows = list(labelled_sources.toxigen(shared_data))
    assert rows and not any("\\n" in r.text or r.text.startswith("-") for r in rows)
    assert {r.unsafe for r in rows} == {True, False}
    assert all(r.codes == ("S10",) for r in rows if r.unsafe)


def test_named_dev_parts_are_written_and_never_trained_on(built):
    result, out = built
    train_keys = {dedup_key(r.text) for r in result.train}
    for name in ("coconot", "hatecheck", "toxigen"):
        rows = result.suites[name]
        assert (out / f"{name}.jsonl").is_file()
        assert len(rows) > 100 and {r.unsafe for r in rows} == {True, False}
        assert not train_keys & {dedup_key(r.text) for r in rows}
        assert {r.group for r in rows}.isdisjoint({r.group for r in result.train})
    assert {r.source for r in result.dev}.isdisjoint({"coconot", "hatecheck", "toxigen"})
    assert json.loads((out / "stats.json").read_text())["hatecheck"]["rows"] == len(result.suites["hatecheck"])
    functionalities = {r.label for r in result.suites["hatecheck"]}
    assert {"profanity_nh", "counter_quote_nh"} <= functionalities


def test_named_dev_parts_are_fixed_by_seed(built, shared_data, taxonomy):
    result, _ = built
    again = build(shared_data, taxonomy, DataConfig.from_yaml("configs/data.yaml"))
    for name, rows in result.suites.items():
        assert [r.text for r in rows] == [r.text for r in again.suites[name]]


def test_policy_families_pair_harm_and_safe_in_the_same_frames(built):
    result, _ = built
    rows = [r for r in result.train + result.dev if r.source == "synthetic_policy"]
    codes = Counter(c for r in rows if r.unsafe for c in r.categories)
    assert codes["S4"] >= 100 and codes["S11"] >= 150 and codes["S10"] >= 150
    harmful_frames = {r.text.split(" that ")[0] for r in rows if r.unsafe and r.label == "frame_minors_harm"}
    safe_frames = {r.text.split(" that ")[0] for r in rows if not r.unsafe and r.label == "frame_minors_safe"}
    assert len(harmful_frames & safe_frames) >= 8  # the frame alone never decides the label
    assert all("{" not in r.text for r in rows)
