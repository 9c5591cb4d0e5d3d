"""Lexicon baselines: a word list decides, no model."""

from __future__ import annotations

from collections.abc import Sequence

from slm_guardian.taxonomy import Taxonomy


class KeywordFilter:
    """Flags a text when any category keyword pattern of the taxonomy matches it (score 1.0).
    These are the same patterns the data builder uses to label rows that lack categories."""

    name = "keyword"

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def score(self, texts: Sequence[str]) -> list[float]:
        return [1.0 if self.taxonomy.match_keywords(t) else 0.0 for t in texts]

    def categories(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        return [self.taxonomy.match_keywords(t) for t in texts]


class ProfanityFilter:
    """Flags a text containing a word from `better-profanity`'s maintained profanity list: the
    lexicon filter many chat products start with."""

    name = "profanity"

    def __init__(self) -> None:
        from better_profanity import profanity

        profanity.load_censor_words()
        self._profanity = profanity

    def score(self, texts: Sequence[str]) -> list[float]:
        return [1.0 if self._profanity.contains_profanity(t) else 0.0 for t in texts]
