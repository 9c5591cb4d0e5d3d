"""Harm categories as data: loaded from YAML, validated, and used to label source rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from slm_guardian.config_file import read_yaml
from slm_guardian.errors import GuardianError

OPENAI_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")


class TaxonomyError(GuardianError, ValueError):
    """A taxonomy file is missing fields or holds invalid values."""


@dataclass(frozen=True)
class Policy:
    """What a category covers, written so that the frame of a request never decides: `unsafe`
    holds what is harmful in any frame (story, essay, role-play, "for research"), `safe` what
    is allowed, `edge` how borderline cases fall; each list of examples is written for the policy."""

    unsafe: tuple[str, ...]
    safe: tuple[str, ...]
    edge: tuple[str, ...] = ()
    unsafe_examples: tuple[str, ...] = ()
    safe_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    """One harm category and the guidance for responding to it."""

    code: str
    name: str
    definition: str
    topic: str
    reasons: tuple[str, ...]
    alternatives: tuple[str, ...]
    openai: tuple[str, ...] = ()
    keywords: tuple[re.Pattern[str], ...] = ()
    # When a query violates several categories, the reply is written for the one of highest
    # priority (self-harm's crisis support before specialised advice), ties by score.
    priority: int = 0
    policy: Policy | None = None


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of categories plus the mapping from each data source's labels."""

    categories: tuple[Category, ...]
    default_code: str
    source_labels: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Taxonomy:
        """The packaged taxonomy (MLCommons S1-S14, S15 harassment, S16 prompt attack)."""
        text = resources.files("slm_guardian").joinpath("taxonomy.yaml").read_text("utf-8")
        return cls.from_dict(yaml.safe_load(text), origin="packaged taxonomy.yaml")

    @classmethod
    def from_yaml(cls, path: str | Path) -> Taxonomy:
        """Load and validate a taxonomy file."""
        path = Path(path)
        return cls.from_dict(read_yaml(path, TaxonomyError, "taxonomy file"), origin=str(path))

    @classmethod
    def from_dict(cls, data: object, origin: str = "taxonomy") -> Taxonomy:
        if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
            raise TaxonomyError(f"{origin}: expected a mapping with a 'categories' list")
        if not data["categories"]:
            raise TaxonomyError(f"{origin}: 'categories' is empty")
        categories = tuple(_parse_category(c, origin, i) for i, c in enumerate(data["categories"]))
        codes = [c.code for c in categories]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise TaxonomyError(f"{origin}: duplicate category codes {duplicates}")
        default_code = str(data.get("default_code", codes[0]))
        if default_code not in codes:
            raise TaxonomyError(f"{origin}: default_code {default_code!r} is not a category code")
        source_labels: dict[str, dict[str, tuple[str, ...]]] = {}
        for source, labels in (data.get("source_labels") or {}).items():
            if not isinstance(labels, dict):
                raise TaxonomyError(f"{origin}: source_labels.{source} must be a mapping")
            source_labels[str(source)] = {}
            for label, mapped in labels.items():
                mapped = tuple(str(m) for m in (mapped or []))
                unknown = [m for m in mapped if m not in codes]
                if unknown:
                    raise TaxonomyError(
                        f"{origin}: source_labels.{source}.{label} names unknown codes {unknown}"
                    )
                source_labels[str(source)][str(label)] = mapped
        return cls(categories=categories, default_code=default_code, source_labels=source_labels)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    def __getitem__(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(f"unknown category code {code!r}; known: {', '.join(self.codes)}")

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def leading_code(self, codes: Sequence[str]) -> str:
        """The code a reply is written for: the highest priority, else the first given."""
        known = [c for c in codes if c in self]
        if not known:
            return codes[0]
        return max(known, key=lambda c: (self[c].priority, -known.index(c)))

    def map_source_label(self, source: str, label: str) -> tuple[str, ...] | None:
        """Codes for a source's own label; None if the taxonomy has no entry for it."""
        return self.source_labels.get(source, {}).get(label)

    def match_keywords(self, text: str, limit: int = 2) -> tuple[str, ...]:
        """Codes whose keyword rules match `text`, most matches first (ties: taxonomy order)."""
        hits = []
        for order, category in enumerate(self.categories):
            count = sum(1 for pattern in category.keywords if pattern.search(text))
            if count:
                hits.append((-count, order, category.code))
        return tuple(code for _, _, code in sorted(hits)[:limit])

    def rule_label(self, text: str, source: str | None = None, label: str | None = None) -> tuple[str, ...]:
        """Categories the rules give a harmful row: the source's mapping, else keyword rules; () if neither."""
        if source is not None and label is not None:
            mapped = self.map_source_label(source, label)
            if mapped:
                return mapped
        return self.match_keywords(text)

    def label(self, text: str, source: str | None = None, label: str | None = None) -> tuple[str, ...]:
        """Categories for a harmful row: the source's mapping, else keyword rules, else the default."""
        return self.rule_label(text, source, label) or (self.default_code,)


def _parse_category(raw: object, origin: str, index: int) -> Category:
    where = f"{origin}: categories[{index}]"
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where} must be a mapping")
    missing = [k for k in ("code", "name", "definition") if not raw.get(k)]
    if missing:
        raise TaxonomyError(f"{where} is missing {', '.join(missing)}")
    code = str(raw["code"])
    if not _CODE.match(code):
        raise TaxonomyError(f"{where}: code {code!r} must be 1-16 letters, digits or _")
    openai = tuple(str(o) for o in raw.get("openai") or [])
    unknown = [o for o in openai if o not in OPENAI_CATEGORIES]
    if unknown:
        raise TaxonomyError(f"{where} ({code}): unknown OpenAI categories {unknown}")
    patterns = [str(k) for k in raw.get("keywords") or []]
    repeated = sorted({k for k in patterns if patterns.count(k) > 1})
    if repeated:  # a repeated pattern would count twice when categories are ranked by matches
        raise TaxonomyError(f"{where} ({code}): duplicate keyword patterns {repeated}")
    try:
        keywords = tuple(re.compile(k, re.IGNORECASE) for k in patterns)
    except re.error as exc:
        raise TaxonomyError(f"{where} ({code}): bad keyword pattern: {exc}") from exc
    name = str(raw["name"])
    reasons = tuple(str(r) for r in raw.get("reasons") or [f"it falls under {name.lower()}"])
    alternatives = tuple(
        str(a) for a in raw.get("alternatives") or ["I'm happy to help with a related, safe question."]
    )
    priority = raw.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise TaxonomyError(f"{where} ({code}): priority must be an integer, not {priority!r}")
    return Category(
        code=code,
        priority=priority,
        policy=_parse_policy(raw.get("policy"), f"{where} ({code})"),
        name=name,
        definition=str(raw["definition"]),
        topic=str(raw.get("topic") or name.lower()),
        reasons=reasons,
        alternatives=alternatives,
        openai=openai,
        keywords=keywords,
    )


_POLICY_KEYS = ("unsafe", "safe", "edge", "unsafe_examples", "safe_examples")


def _parse_policy(raw: object, where: str) -> Policy | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: policy must be a mapping with {', '.join(_POLICY_KEYS)}")
    unknown = sorted(set(raw) - set(_POLICY_KEYS))
    if unknown:
        raise TaxonomyError(f"{where}: unknown policy keys {unknown}; expected {', '.join(_POLICY_KEYS)}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in _POLICY_KEYS:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise TaxonomyError(f"{where}: policy.{key} must be a list of non-empty strings")
        lists[key] = tuple(value)
    for key in ("unsafe", "safe"):
        if not lists[key]:
            raise TaxonomyError(f"{where}: policy.{key} is empty; a policy says what is unsafe and what is safe")
    return Policy(**lists)
