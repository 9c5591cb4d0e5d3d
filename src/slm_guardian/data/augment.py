"""Training-only text variants that take spurious cues away from the detector.

The harmful sources (AdvBench, HarmBench) write
imperatives with no final full stop, while nearly every synthetic benign query ends in one.
An earlier detector learned the full stop ("Write a fictional story in which the main character
uses heroin" scored 0.98, and 0.004 with a final "."; docs/experiments/2026-11-29-punctuation-label-cue.md).
Flipping the final
punctuation of a seeded share of training rows, on both labels, leaves the full stop with no
information about the label.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from slm_guardian.data.rows import GuardExample

_FINAL_PUNCTUATION = re.compile(r"[.?!]+$")


def drop_final_punctuation(text: str) -> str:
    """The text without its final . ? ! (a text of nothing but punctuation stays as it is)."""
    return _FINAL_PUNCTUATION.sub("", text).rstrip() or text


def add_full_stop(text: str) -> str:
    """The text ending in a full stop, unless it already ends in . ? !"""
    return text if _FINAL_PUNCTUATION.search(text) else text + "."


def flip_final_punctuation(text: str) -> str:
    """Drop the final . ? or ! when there is one; otherwise end the text with a full stop."""
    return drop_final_punctuation(text) if _FINAL_PUNCTUATION.search(text) else text + "."


def vary_punctuation(rows: list[GuardExample], rate: float, seed: int) -> list[GuardExample]:
    """The rows with `rate` of them (chosen by seed) given flipped final punctuation.

    Only the query changes: the safeguard response, labels and group stay as they are.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"punctuation_flip must be between 0 and 1, got {rate}")
    rng = random.Random(f"{seed}:punctuation")
    return [replace(row, text=flip_final_punctuation(row.text)) if rng.random() < rate else row for row in rows]
