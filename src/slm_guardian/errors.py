"""The package's exceptions: every error slm-guardian raises on purpose is a GuardianError."""

from __future__ import annotations


class GuardianError(Exception):
    """Base class of the errors slm-guardian raises for bad input, files or settings."""


class InvalidInput(GuardianError, ValueError):
    """A query the guardian cannot judge: empty, not text, or over the size limit."""


class ConfigError(GuardianError, ValueError):
    """A config (guardian, data or training) holds unknown keys, wrong types or out-of-range values."""
