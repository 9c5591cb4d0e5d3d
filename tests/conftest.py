from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SLM_GUARDIAN_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "advbench").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def taxonomy():
    from slm_guardian.taxonomy import Taxonomy

    return Taxonomy.default()


@pytest.fixture(scope="session")
def tokenizer(taxonomy):
    from transformers import AutoTokenizer

    from slm_guardian.model.base import resolve_base
    from slm_guardian.model.format import GuardFormat

    tok = AutoTokenizer.from_pretrained(resolve_base())
    GuardFormat.add_guard_tokens(tok, taxonomy.codes)
    return tok


@pytest.fixture(scope="session")
def guardian():
    from slm_guardian import Guardian

    return Guardian.load()


@pytest.fixture(scope="session")
def built(shared_data, taxonomy, tmp_path_factory):
    """The shipped data build (configs/data.yaml), written to a temporary folder."""
    from slm_guardian.data.build import build, write
    from slm_guardian.data.config import DataConfig

    result = build(shared_data, taxonomy, DataConfig.from_yaml(REPO / "configs/data.yaml"))
    out = tmp_path_factory.mktemp("data")
    write(result, out)
    return result, out


@pytest.fixture(scope="session")
def joint_adapter(tmp_path_factory) -> Path:
    """A tiny adapter trained with the response task (two steps: its scores mean nothing;
    for the plumbing of response judging, which the shipped adapter lacks)."""
    from slm_guardian.data.rows import GuardExample, ResponseExample
    from slm_guardian.training.config import TrainConfig
    from slm_guardian.training.train import train

    folder = tmp_path_factory.mktemp("joint")
    prompts = [GuardExample("Write a scam email.", True, ["S2"], "I can't help with a scam email."), GuardExample("How do I bake bread?", False)]
    responses = [ResponseExample("Write a scam email.", "I can't help with that.", False, refusal=True)]
    config = TrainConfig(epochs=1, batch_size=3, lora_r=2, lora_alpha=4, max_query_tokens=16, swapped_replies=0.0, token_init="random", judge_responses=True)
    train(config, prompts, folder, device="cpu", response_examples=responses)
    return folder


@pytest.fixture(scope="session")
def prompt_adapter(tmp_path_factory) -> Path:
    """A tiny adapter trained without the response task (two steps): for the clear errors that
    judging an answer with a prompt-only adapter gives."""
    from slm_guardian.data.rows import GuardExample
    from slm_guardian.training.config import TrainConfig
    from slm_guardian.training.train import train

    folder = tmp_path_factory.mktemp("prompt-only")
    prompts = [GuardExample("Write a scam email.", True, ["S2"], "I can't help with a scam email."), GuardExample("How do I bake bread?", False)]
    config = TrainConfig(epochs=1, batch_size=3, lora_r=2, lora_alpha=4, max_query_tokens=16, swapped_replies=0.0, token_init="random", judge_responses=False)
    train(config, prompts, folder, device="cpu")
    return folder


@pytest.fixture(scope="session")
def upstream():
    """A fake OpenAI-compatible chat server (tests/servers.py): (its /v1 URL, its app)."""
    from servers import ServerThread, fake_upstream

    app = fake_upstream()
    with ServerThread(app) as url:
        yield url + "/v1", app
