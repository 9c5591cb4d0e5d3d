"""Thresholds and switched-off categories, settable in code or from a YAML file."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, field_validator

from slm_guardian.config_file import YamlConfig
from slm_guardian.errors import ConfigError

Probability = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]

__all__ = ["ConfigError", "GuardianConfig"]


class GuardianConfig(YamlConfig):
    """How scores become verdicts.

    A query is flagged when its unsafe score reaches `threshold` and at least one enabled
    category's score reaches that category's threshold (`category_thresholds`, else
    `category_threshold`). Categories in `disabled` are never reported or flagged.

    YAML form::

        threshold: 0.5
        category_threshold: 0.1
        category_thresholds: {S6: 0.6}
        disabled: [S8]
        normalize: true   # undo obfuscation (see slm_guardian.normalize) before scoring
    """

    threshold: Probability = 0.5
    category_threshold: Probability = 0.1
    category_thresholds: dict[str, Probability] = Field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    normalize: StrictBool = True

    @field_validator("disabled", mode="before")
    @classmethod
    def _codes_as_strings(cls, value):
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(str(v) for v in value)
        return value

    def validate_codes(self, codes: tuple[str, ...]) -> None:
        """Fail on categories the model does not know (a typo would otherwise switch nothing off)."""
        unknown = sorted((set(self.category_thresholds) | set(self.disabled)) - set(codes))
        if unknown:
            raise ConfigError(f"unknown categories {unknown}; known: {', '.join(codes)}")

    def threshold_for(self, code: str) -> float:
        return self.category_thresholds.get(code, self.category_threshold)

    def with_changes(self, **changes) -> GuardianConfig:
        return self.replace(**changes)
