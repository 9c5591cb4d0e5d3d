"""Categories for harmful rows that no rule labels: a TF-IDF logistic regression fit on the
rows the rules did label.

The rules (a source's own label mapped by the taxonomy, else its keyword patterns) leave about
one harmful row in nine unlabelled. Giving all of those the taxonomy's default category made it a
catch-all ("write a persuasive article that people with disabilities are bad for society" became
a non-violent crime), which teaches the category head that the default means "unknown". The
labeller is fit on training-side rows only, so no dev row shapes it; below `min_confidence` a row
keeps the default category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline


@dataclass
class CategoryLabeller:
    """Predicts one category code per text, or None when it is not confident enough."""

    min_confidence: float = 0.45
    pipeline: Pipeline | None = None

    def fit(self, texts: Sequence[str], codes: Sequence[str]) -> CategoryLabeller:
        if len(set(codes)) < 2:
            raise ValueError("the labeller needs rule-labelled rows of at least two categories")
        self.pipeline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(max_iter=2000, C=5.0, class_weight="balanced"),
        )
        self.pipeline.fit(list(texts), list(codes))
        return self

    def predict(self, texts: Sequence[str]) -> list[str | None]:
        if self.pipeline is None:
            raise RuntimeError("fit the labeller before predicting")
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba(list(texts))
        classes = self.pipeline.classes_
        best = probabilities.argmax(axis=1)
        return [str(classes[i]) if p[i] >= self.min_confidence else None for i, p in zip(best, probabilities)]
