"""Thresholds and switched-off categories, settable in code or from a YAML file."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from slm_guardian.errors import GuardianError


class ConfigError(GuardianError, ValueError):
    """A guardian config holds unknown keys, unknown categories or out-of-range thresholds."""


@dataclass(frozen=True)
class GuardianConfig:
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

    threshold: float = 0.5
    category_threshold: float = 0.1
    category_thresholds: dict[str, float] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    normalize: bool = True

    def __post_init__(self) -> None:
        for name, value in [("threshold", self.threshold), ("category_threshold", self.category_threshold), *self.category_thresholds.items()]:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"threshold {name} must be a number in [0, 1], got {value!r}")
        if not isinstance(self.normalize, bool):
            raise ConfigError(f"normalize must be true or false, got {self.normalize!r}")
        object.__setattr__(self, "disabled", frozenset(self.disabled))

    @classmethod
    def from_yaml(cls, path: str | Path) -> GuardianConfig:
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text("utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping")
        unknown = sorted(set(raw) - {"threshold", "category_threshold", "category_thresholds", "disabled", "normalize"})
        if unknown:
            raise ConfigError(f"{path}: unknown keys {unknown}")
        return cls(
            threshold=raw.get("threshold", 0.5),
            category_threshold=raw.get("category_threshold", 0.1),
            category_thresholds={str(k): v for k, v in (raw.get("category_thresholds") or {}).items()},
            disabled=frozenset(str(c) for c in raw.get("disabled") or []),
            normalize=raw.get("normalize", True),
        )

    def validate_codes(self, codes: tuple[str, ...]) -> None:
        """Fail on categories the model does not know (a typo would otherwise switch nothing off)."""
        unknown = sorted((set(self.category_thresholds) | set(self.disabled)) - set(codes))
        if unknown:
            raise ConfigError(f"unknown categories {unknown}; known: {', '.join(codes)}")

    def threshold_for(self, code: str) -> float:
        return self.category_thresholds.get(code, self.category_threshold)

    def with_changes(self, **changes) -> GuardianConfig:
        return replace(self, **changes)
