"""The data build's configuration (configs/data.yaml); the defaults are the shipped build's."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from slm_guardian.config_file import YamlConfig

Share = Annotated[float, Field(ge=0.0, le=1.0)]

# Response-task training rows per source, sampled by seed (the rest of each source as read).
SHIPPED_RESPONSE_CAPS = {"diasafety": 2000, "composed_refusals": 600, "coconot_pref": 400, "off_topic_answers": 300}
SHIPPED_CAPS = {"alpaca:safe": 1000, "toxicchat:safe": 1300, "jailbreak_templates:unsafe": 250, "hatecheck:unsafe": 700}


class DataConfig(YamlConfig):
    """How many rows to take from each source and how to split them."""

    seed: int = 13
    dev_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.12  # share of groups held out as dev
    max_chars: Annotated[int, Field(gt=0)] = 4000  # longer rows are dropped (jailbreak walls of text)
    synthetic_per_template: Annotated[int, Field(gt=0)] = 150  # expansions kept per synthetic template
    # Max rows per source:label after dedup, sampled by seed.
    caps: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=lambda: dict(SHIPPED_CAPS))
    punctuation_flip: Share = 0.5  # share of training rows whose final punctuation is flipped (data/augment.py)
    # Share of groups of each human-labelled set (coconot, hatecheck, toxigen) held out as that
    # set's own named dev part (`guardian eval coconot`); the rest may be trained on.
    suite_dev_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.35
    response_caps: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=lambda: dict(SHIPPED_RESPONSE_CAPS))
    # Share of PyRIT's objectives whose judged responses form the response dev sets
    # (response_pyrit, refusal_pyrit); the rest may be trained on.
    response_dev_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.4
    # Response-task training rows left out, as "source:label" (a DiaSafety category, say);
    # applied after sampling, so the rest of the build is the same rows in the same order.
    response_exclude: list[Annotated[str, Field(pattern=r"^[a-z_]+:.+$")]] = Field(default_factory=list)
    # JSONL of the base model's answers to harmless instructions (`guardian data answers`):
    # capped by response_caps' generated_answers (each with its own instruction: answered) and
    # generated_off_topic (an instruction with another one's answer: a refusal). None: not used.
    # A path relative to the working directory, as the commands' own paths are.
    generated_answers: str | None = None
    # Languages besides English whose composed requests and localized replies join the build
    # (data/korean_families.py, data/language_families.py); none for the English guard.
    languages: list[Literal["ko", "zh", "es", "fr", "de", "ar", "ja"]] = Field(default_factory=list)
