from __future__ import annotations

import json

import pytest

from slm_guardian.evaluate import load_dataset, markdown_table


def test_named_datasets_need_a_built_data_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="guardian data build"):
        load_dataset("dev", tmp_path)


def test_jbb_splits_and_custom_files(tmp_path):
    rows = [{"text": "bad", "unsafe": True, "categories": ["S1"]}, {"text": "fine", "unsafe": False}]
    (tmp_path / "jbb.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert [r.text for r in load_dataset("jbb-harmful", tmp_path)[1]] == ["bad"]
    assert [r.text for r in load_dataset("jbb-benign", tmp_path)[1]] == ["fine"]
    name, custom = load_dataset(str(tmp_path / "jbb.jsonl"), tmp_path)
    assert name == "jbb" and custom[0].categories == ("S1",)


def test_malformed_labelled_file_names_the_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "a", "unsafe": true}\n{"text": "b"}\n')
    with pytest.raises(ValueError, match="line 2"):
        load_dataset(str(path), tmp_path)


def test_markdown_table_shows_missing_values_as_dashes():
    table = markdown_table({"jbb-harmful": {"detection": {"n": 3, "recall": 1.0, "flag_rate": 1.0}}})
    assert "| jbb-harmful | 3 | – | – | 1.000 |" in table
