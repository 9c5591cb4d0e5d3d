"""slm-guardian: a small language model that flags harmful queries and writes safeguard responses."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public names resolve lazily so that light commands (`guardian taxonomy`, data building)
# do not pay for importing torch and transformers.
_EXPORTS = {
    "Category": "slm_guardian.taxonomy",
    "Taxonomy": "slm_guardian.taxonomy",
    "TaxonomyError": "slm_guardian.taxonomy",
    "CategoryScore": "slm_guardian.verdict",
    "Verdict": "slm_guardian.verdict",
    "Guardian": "slm_guardian.guardian",
    "GuardianError": "slm_guardian.errors",
    "InvalidInput": "slm_guardian.errors",
    "ConfigError": "slm_guardian.guardian_config",
    "GuardianConfig": "slm_guardian.guardian_config",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'slm_guardian' has no attribute {name!r}")
