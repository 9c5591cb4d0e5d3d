"""Does the query tell the guard what the answer will say? A relevance probe for the refusal score.

    python benchmarks/answer_relevance_probe.py --adapter build/response-anchored --per-source 150

PyRIT's human refusal labels count an answer to another question as a refusal, and the
response adapters' refusal token misses most of those. This probe asks whether the adapter
itself holds the missing signal: for each (query, answer) row with a refusal label it takes the
adapter's refusal score and the query's pointwise mutual information on the answer, the mean
over the answer's first 96 tokens of log p(token | query, answer so far) - log p(token | answer
so far), from the same model (torch path). A logistic regression on [logit(refusal), PMI] is
fitted on a seeded sample of the response training rows (`--per-source` rows per source) and
scored on the refusal dev set (`refusal_pyrit.jsonl`), beside each feature alone. One Markdown
table: dev agreement at 0.5 and ROC AUC per feature set. Research code: the product does not
compute PMI (it costs a second forward pass per answer).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from tqdm import tqdm

from slm_guardian.data.response_build import read_response_examples
from slm_guardian.data.rows import ResponseExample
from slm_guardian.model.format import ANSWER_CONTEXT_TOKENS
from slm_guardian.model.loading import load_guard_model

ANSWER_TOKENS = 96


def labelled_rows(path: Path, per_source: int | None, seed: int) -> list[ResponseExample]:
    rows = [r for r in read_response_examples(path) if r.refusal is not None]
    if per_source is None:
        return rows
    rng, by_source = random.Random(seed), {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    return [r for _, group in sorted(by_source.items()) for r in rng.sample(group, min(per_source, len(group)))]


@torch.inference_mode()
def features(guard, rows: list[ResponseExample], desc: str) -> np.ndarray:
    """[logit(refusal score), query PMI on the answer] per row."""
    fmt, ids = guard.fmt, guard.fmt.ids

    def log_probs(prefix: list[int], answer: list[int]) -> torch.Tensor:
        x = torch.tensor([prefix + answer])
        logits = guard.model(input_ids=x).logits[0].float().log_softmax(-1)
        return logits[len(prefix) - 1 : -1].gather(1, x[0, len(prefix) :, None]).squeeze(1)

    refusal = np.array([s.refusal for s in guard.score_responses([(r.query, r.answer) for r in rows])])
    refusal = np.clip(refusal, 1e-4, 1 - 1e-4)
    pmi = []
    for row in tqdm(rows, desc=desc, unit="row"):
        answer = fmt.encode_text(row.answer, ANSWER_TOKENS)
        with_query = log_probs([ids.query, *fmt.encode_text(row.query, ANSWER_CONTEXT_TOKENS), ids.answer], answer)
        pmi.append(float((with_query - log_probs([ids.query, ids.answer], answer)).mean()))
    return np.stack([np.log(refusal / (1 - refusal)), np.array(pmi)], axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adapter", type=Path, required=True, help="an adapter trained with judge_responses")
    parser.add_argument("--data", type=Path, default=Path("build/data"), help="the built data folder")
    parser.add_argument("--per-source", type=int, default=150, help="training rows sampled per source (seeded)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    guard = load_guard_model(args.adapter, threads=1)
    if not guard.fmt.judges_responses:
        parser.error(f"{args.adapter} was trained without the response task (judge_responses)")
    train = labelled_rows(args.data / "response_train.jsonl", args.per_source, args.seed)
    dev = labelled_rows(args.data / "refusal_pyrit.jsonl", None, args.seed)
    x_train, x_dev = features(guard, train, "training rows"), features(guard, dev, "dev rows")
    y_train = np.array([bool(r.refusal) for r in train])
    y_dev = np.array([bool(r.refusal) for r in dev])
    print(f"{len(train)} training rows, {len(dev)} dev rows ({int(y_dev.sum())} refusals)\n")
    print("| features | dev agreement at 0.5 | dev ROC AUC |\n|---|---|---|")
    print(f"| refusal token, as trained | {((x_dev[:, 0] >= 0) == y_dev).mean():.3f} | {roc_auc_score(y_dev, x_dev[:, 0]):.3f} |")
    for name, columns in (("refusal token, refitted", [0]), ("query PMI", [1]), ("refusal token + query PMI", [0, 1])):
        fitted = LogisticRegression().fit(x_train[:, columns], y_train)
        p = fitted.predict_proba(x_dev[:, columns])[:, 1]
        print(f"| {name} | {((p >= 0.5) == y_dev).mean():.3f} | {roc_auc_score(y_dev, p):.3f} |")


if __name__ == "__main__":
    main()
