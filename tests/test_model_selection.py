"""Picking a shipped guard by name: `Guardian.load(model=...)` and `--model`."""

from __future__ import annotations

import pytest

from slm_guardian.errors import GuardianError
from slm_guardian.guardian import SHIPPED_MODELS, Guardian, model_adapter_dir, shipped_adapter_dir
from test_cli import assert_clean_failure, run


def test_english_is_the_default_shipped_guard():
    assert model_adapter_dir("english") == shipped_adapter_dir()


def test_an_unknown_model_names_the_choices():
    with pytest.raises(GuardianError, match="english, multilingual"):
        Guardian.load(model="klingon")


def test_a_model_and_an_adapter_are_not_both_given(tmp_path):
    with pytest.raises(GuardianError, match="not both"):
        Guardian.load(adapter=tmp_path, model="english")


def test_the_multilingual_guard_loads_or_says_it_is_not_shipped():
    folder = shipped_adapter_dir().parent / SHIPPED_MODELS["multilingual"]
    if (folder / "adapter_config.json").is_file():
        assert model_adapter_dir("multilingual") == folder
    else:
        with pytest.raises(GuardianError, match="not in this install"):
            Guardian.load(model="multilingual")


def test_cli_model_option_fails_cleanly(tmp_path):
    assert_clean_failure(run("check", "--model", "klingon", "hello"), "model must be one of english, multilingual")
    assert_clean_failure(run("check", "--model", "english", "--adapter", str(tmp_path), "hello"), "not both")
    assert "--model" in run("classify", "--help").stdout
