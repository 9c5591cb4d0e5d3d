"""What the guardian returns for one query."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CategoryScore:
    """A violated category: its code, name and score (P(harm) * P(category | harm))."""

    code: str
    name: str
    score: float


@dataclass(frozen=True)
class Verdict:
    """The guardian's decision on one query.

    `unsafe_score` is P(harmful); `category_scores` holds every category's score (they sum
    to `unsafe_score`); `categories` lists the violated ones, the one the reply is written for
    first (highest `priority` in the taxonomy, then highest score); `response` is
    the safeguard response, written only when `flagged` (or when forced).

    `judged` says what was judged: "prompt" (the user's query) or "response" (an LLM's answer,
    in the context of the query before it); for a response, `refusal` is P(the answer declines):
    it does not do what was asked (an outright decline, a lecture instead, another question's answer).
    """

    flagged: bool
    unsafe_score: float
    categories: list[CategoryScore] = field(default_factory=list)
    category_scores: dict[str, float] = field(default_factory=dict)
    response: str | None = None
    judged: str = "prompt"
    refusal: float | None = None

    @property
    def category_codes(self) -> list[str]:
        return [c.code for c in self.categories]

    def to_dict(self) -> dict:
        """A JSON-ready dict: codes in `categories`, names alongside in `category_names`;
        `judged` and `refusal` only for a judged response."""
        data = asdict(self)
        if self.judged == "prompt":
            del data["judged"], data["refusal"]
        data["categories"] = self.category_codes
        data["category_names"] = {c.code: c.name for c in self.categories}
        data["unsafe_score"] = round(self.unsafe_score, 4)
        data["category_scores"] = {k: round(v, 4) for k, v in self.category_scores.items()}
        if data.get("refusal") is not None:
            data["refusal"] = round(self.refusal, 4)
        return data
