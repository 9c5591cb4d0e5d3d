"""The fine-tuned guard: one forward pass for the verdict and categories, greedy decoding for the reply."""

from __future__ import annotations

from collections.abc import Sequence
import torch

from slm_guardian.model.format import GuardFormat
from slm_guardian.model.scores import MAX_BATCH_TOKENS, Scores, score_response_windows, score_windows, worst_window


class GuardModel:
    """A causal LM (base + merged LoRA) that speaks the guard token format."""

    def __init__(self, model, fmt: GuardFormat, max_new_tokens: int = 96) -> None:
        self.model = model.eval()
        self.fmt = fmt
        self.max_new_tokens = max_new_tokens
        self.max_batch_tokens: int | None = MAX_BATCH_TOKENS  # padded tokens per forward pass (None: rows only)
        ids = fmt.ids
        self._verdict_ids = torch.tensor([ids.safe, ids.harm])
        self._category_ids = torch.tensor([ids.categories[c] for c in fmt.codes])
        # Guard tokens never belong inside a written reply; any of the base model's own
        # special tokens (end of turn, start of turn, end of text) ends it.
        guard_ids = fmt.guard_token_ids
        self._refusal_ids = torch.tensor([ids.complied, ids.declined]) if fmt.judges_responses else None
        self._banned_in_reply = torch.tensor(guard_ids)
        self._stop_ids = (set(fmt.tokenizer.all_special_ids) | {ids.eos}) - set(guard_ids)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @torch.inference_mode()
    def score(self, texts: Sequence[str], batch_size: int = 16) -> list[Scores]:
        """Scores for each text (a long one: its worst window); output order follows input order."""
        return score_windows(self.fmt, texts, batch_size, self._score_batch, self.max_batch_tokens)

    @torch.inference_mode()
    def score_responses(self, pairs: Sequence[tuple[str, str]], batch_size: int = 16) -> list[Scores]:
        """Scores of each (query, answer) pair: the answer judged in the query's context."""
        return score_response_windows(self.fmt, pairs, batch_size, self._score_batch, self.max_batch_tokens)

    @torch.inference_mode()
    def score_ids(self, batch: list[list[int]]) -> list[Scores]:
        """Scores of prepared detection (or response) ids, one row each, no windowing."""
        return self._score_batch(batch)

    def _score_batch(self, batch: list[list[int]]) -> list[Scores]:
        # Left padding puts every row's last tokens at the same positions, so only those logit
        # rows need the vocabulary projection (logits_to_keep=2; 3 for judged responses).
        width = max(len(ids) for ids in batch)
        pad = self.fmt.ids.eos
        input_ids = torch.tensor([[pad] * (width - len(ids)) + ids for ids in batch], device=self.device)
        mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in batch], device=self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        responses = self.fmt.judges_responses and all(ids[-3] == self.fmt.ids.refusal for ids in batch)
        logits = self.model(input_ids=input_ids, attention_mask=mask, position_ids=positions, logits_to_keep=3 if responses else 2).logits
        return self._scores_from(logits[:, -2], logits[:, -1], logits[:, -3] if responses else None)

    def _scores_from(self, guard_logits: torch.Tensor, harm_logits: torch.Tensor, refusal_logits: torch.Tensor | None = None) -> list[Scores]:
        verdict = guard_logits[:, self._verdict_ids.to(guard_logits.device)].float().softmax(-1)[:, 1]
        category = harm_logits[:, self._category_ids.to(harm_logits.device)].float().softmax(-1)
        refusal = [None] * len(verdict)
        if refusal_logits is not None:
            refusal = refusal_logits[:, self._refusal_ids.to(refusal_logits.device)].float().softmax(-1)[:, 1].tolist()
        return [
            Scores(unsafe=float(v), categories={c: float(p) for c, p in zip(self.fmt.codes, row)}, refusal=r)
            for v, row, r in zip(verdict.tolist(), category.tolist(), refusal)
        ]

    @torch.inference_mode()
    def score_with_cache(self, text: str) -> tuple[Scores, object | None]:
        """Scores for one text plus the KV cache, so a reply can continue without re-reading it
        (no cache for a long text judged in several windows)."""
        windows = self.fmt.detection_windows(text)
        if len(windows) > 1:
            return self.score([text])[0], None
        input_ids = torch.tensor(windows, device=self.device)
        out = self.model(input_ids=input_ids, use_cache=True, logits_to_keep=2)
        scores = self._scores_from(out.logits[:, -2], out.logits[:, -1])[0]
        return scores, out.cache

    @torch.inference_mode()
    def respond(self, text: str, codes: Sequence[str], cache: object | None = None) -> str:
        """Greedy-decode the safeguard response after `<|harm|>` and the given category codes."""
        if cache is None:
            # Read the worst window (the whole text when short) and continue from its cache.
            prompt = torch.tensor([worst_window(self.fmt, text, self._score_batch)], device=self.device)
            cache = self.model(input_ids=prompt, use_cache=True, logits_to_keep=1).cache
        next_ids = torch.tensor([self.fmt.response_prefix(codes)], device=self.device)
        banned = self._banned_in_reply.to(self.device)
        written: list[int] = []
        for _ in range(self.max_new_tokens):
            out = self.model(input_ids=next_ids, cache=cache, use_cache=True, logits_to_keep=1)
            cache = out.cache
            logits = out.logits[0, -1]
            logits[banned] = float("-inf")
            token = int(logits.argmax())
            if token in self._stop_ids:
                break
            written.append(token)
            next_ids = torch.tensor([[token]], device=self.device)
        return self.fmt.tokenizer.decode(written, skip_special_tokens=True).strip()

    def respond_batch(self, texts: Sequence[str], codes: Sequence[Sequence[str]]) -> list[str]:
        """One reply after another: the reference path decodes with a KV cache per reply."""
        return [self.respond(text, list(c)) for text, c in zip(texts, codes)]
