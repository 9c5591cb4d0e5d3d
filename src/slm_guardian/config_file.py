"""One way to read configuration: pydantic models from YAML, with unknown keys, wrong types
and out-of-range values refused as a ConfigError that names the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from slm_guardian.errors import ConfigError


def read_yaml(path: Path, error: type[Exception], what: str = "config file") -> object:
    """The parsed YAML document at `path`; unreadable files and bad YAML raise `error`."""
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path} is not valid YAML: {exc}") from exc


def describe(exc: ValidationError, known: list[str]) -> str:
    """One line per problem: unknown keys together, then each bad value with what was given."""
    unknown = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "extra_forbidden"]
    parts = [f"unknown keys {sorted(unknown)}; known: {', '.join(known)}"] if unknown else []
    for error in exc.errors():
        if error["type"] == "extra_forbidden":
            continue
        where = ".".join(str(p) for p in error["loc"]) or "config"
        parts.append(f"{where}: {error['msg'][0].lower() + error['msg'][1:]} (got {error['input']!r})")
    return "; ".join(parts)


class YamlConfig(BaseModel):
    """A frozen, validated config. Construct it in code or read it with `from_yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigError(describe(exc, list(type(self).model_fields))) from None

    @classmethod
    def from_yaml(cls, path: str | Path):
        path = Path(path)
        raw = read_yaml(path, ConfigError)
        raw = {} if raw is None else raw
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping of keys to values, got {type(raw).__name__}")
        try:
            return cls(**{str(k): v for k, v in raw.items()})
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None

    def replace(self, **changes: Any):
        """A copy with `changes`, validated like any other construction."""
        return type(self)(**{**self.model_dump(), **changes})
