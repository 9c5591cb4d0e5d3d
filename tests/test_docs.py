"""The documents that restate code or data stay in step with it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_adapter_folder_carries_the_model_card():
    card = (REPO / "docs/model-card.md").read_text("utf-8")
    shipped = (REPO / "src/slm_guardian/weights/smollm2-135m-guardian/README.md").read_text("utf-8")
    assert card in shipped, "copy docs/model-card.md into the adapter folder's README.md"


def test_the_readme_is_the_front_door():
    lines = (REPO / "README.md").read_text("utf-8").splitlines()
    assert len(lines) <= 250
    head = "\n".join(lines[:60])
    assert "guardian check" in head and "pytest" in head
    for page in ("docs/policy.md", "docs/evaluation.md", "docs/model-card.md", "docs/performance.md", "docs/robustness.md", "docs/cli.md", "docs/experiments/"):
        assert f"]({page})" in "\n".join(lines), page
        assert (REPO / page).exists(), page
