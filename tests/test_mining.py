"""Hard-negative mining (data/mining.py) and how the build keeps the rows it lists."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from slm_guardian.data.build import DataConfig, _apply_caps, left_out_by_caps
from slm_guardian.data.keys import text_key
from slm_guardian.data.mining import MinedRow, mine, read_keys, write_list
from slm_guardian.data.rows import SourceRow


def rows(n: int, source: str = "alpaca", unsafe: bool = False) -> list[SourceRow]:
    return [SourceRow(f"{source} question number {i}", unsafe, source) for i in range(n)]


def test_mine_keeps_high_scores_highest_first_within_the_limit():
    pool = rows(10)
    scores = {r.text: i / 10 for i, r in enumerate(pool)}  # 0.0 .. 0.9
    seen: list[int] = []
    mined = mine(pool, lambda texts: [scores[t] for t in texts], min_score=0.5, batch_size=3, progress=seen.append)
    assert [m.score for m in mined] == [0.9, 0.8, 0.7, 0.6, 0.5]
    assert mined[0] == MinedRow(text_key(pool[9].text), 0.9, "alpaca")
    assert sum(seen) == 10 and seen == [3, 3, 3, 1]
    top2 = mine(pool, lambda texts: [scores[t] for t in texts], min_score=0.5, limit=2)
    assert [m.key for m in top2] == [text_key(pool[9].text), text_key(pool[8].text)]
    assert mine(pool, lambda texts: [0.1] * len(texts), min_score=0.5) == []
    with pytest.raises(ValueError, match="min_score"):
        mine(pool, lambda texts: [0.0] * len(texts), min_score=1.5)


def test_list_round_trip_and_bad_lines(tmp_path):
    path = tmp_path / "list.jsonl"
    mined = [MinedRow("k1", 0.9, "alpaca"), MinedRow("k2", 0.4, "alpaca")]
    write_list(path, mined, {"command": "guardian data mine", "rows": 2})
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0] == {"header": {"command": "guardian data mine", "rows": 2}}
    assert "text" not in lines[1]  # keys only: the rows themselves are never written
    assert read_keys(path) == {"k1", "k2"}
    path.write_text('{"key": "k1"}\nnot json\n')
    with pytest.raises(ValueError, match=r"list.jsonl:2: not JSON"):
        read_keys(path)
    path.write_text('{"score": 0.5}\n')
    with pytest.raises(ValueError, match="no 'key'"):
        read_keys(path)


def test_text_key_ignores_case_and_punctuation_but_not_words():
    assert text_key("How do I kill a process?") == text_key("how do i KILL a process")
    assert text_key("How do I kill a process?") != text_key("How do I kill a person?")


def test_caps_keep_listed_left_out_rows_on_top_of_the_same_draw():
    pool = rows(50) + rows(5, "advbench", unsafe=True)
    config = DataConfig(seed=3, caps={"alpaca:safe": 20})
    plain = _apply_caps(pool, config, taxonomy=None)
    left_out = left_out_by_caps(pool, config)
    assert len(left_out) == 30 and not {r.text for r in left_out} & {r.text for r in plain}
    listed = frozenset(text_key(r.text) for r in left_out[:4]) | {text_key(plain[0].text)}
    kept = _apply_caps(pool, config, taxonomy=None, hard_negatives=listed)
    hard = [r for r in kept if r.source == "alpaca-hard"]
    # the four left-out rows come back renamed; a listed row the cap kept anyway stays as it was
    assert [replace(r, source="alpaca") for r in hard] == left_out[:4]
    assert [r for r in kept if r.source != "alpaca-hard"] == plain


def test_data_config_resolves_the_list_from_its_own_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    config = tmp_path / "sub" / "data.yaml"
    config.write_text("hard_negatives: lists/alpaca.jsonl\n")
    assert DataConfig.from_yaml(config).hard_negatives == str(tmp_path / "sub" / "lists" / "alpaca.jsonl")
