"""The record types that flow through the data pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SourceRow:
    """A query read from a public source, before categories and responses are assigned.

    `label` is the source's own category label (None when the source has none); `group`
    keeps related rows (one template's expansions) on the same side of the dev split.
    """

    text: str
    unsafe: bool
    source: str
    label: str | None = None
    group: str | None = None
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuardExample:
    """One multi-task example: the query, its verdict, categories and safeguard response."""

    text: str
    unsafe: bool
    categories: list[str] = field(default_factory=list)
    response: str | None = None
    source: str = ""
    group: str = ""
    label: str | None = None  # the source's own label (a HateCheck functionality, a CoCoNot subcategory)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict) -> GuardExample:
        return cls(
            text=row["text"],
            unsafe=bool(row["unsafe"]),
            categories=list(row.get("categories") or []),
            response=row.get("response"),
            source=row.get("source", ""),
            group=row.get("group", ""),
            label=row.get("label"),
        )


@dataclass(frozen=True)
class ResponseExample:
    """One response-judging example: an LLM's answer to a query, whether the answer is harmful
    in that context (and its categories), and whether it declines. A label the source does not
    give is None; training then leaves it out of the loss."""

    query: str
    answer: str
    unsafe: bool | None
    categories: list[str] = field(default_factory=list)
    refusal: bool | None = None
    source: str = ""
    group: str = ""
    label: str | None = None  # the source's own label (a DiaSafety category, a PyRIT harm score)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict) -> ResponseExample:
        return cls(
            query=row["query"],
            answer=row["answer"],
            unsafe=None if row.get("unsafe") is None else bool(row["unsafe"]),
            categories=list(row.get("categories") or []),
            refusal=None if row.get("refusal") is None else bool(row["refusal"]),
            source=row.get("source", ""),
            group=row.get("group", ""),
            label=row.get("label"),
        )
