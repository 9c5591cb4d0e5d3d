"""The multi-task token format that fuses detection, categories and the safeguard response.

    <|query|> text <|guard|> <|safe|> <eos>
    <|query|> text <|guard|> <|harm|> <|cat:S9|> [<|cat:S1|> ...] <|response|> reply <eos>

The unsafe score is P(<|harm|>) at the <|guard|> position; category scores are the softmax
over category tokens at the <|harm|> position. Feeding `... <|guard|> <|harm|>` gives both
from one forward pass, because the causal mask hides <|harm|> from the <|guard|> position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

QUERY = "<|query|>"
GUARD = "<|guard|>"
SAFE = "<|safe|>"
HARM = "<|harm|>"
RESPONSE = "<|response|>"


def category_token(code: str) -> str:
    return f"<|cat:{code}|>"


@dataclass(frozen=True)
class TokenIds:
    """Vocabulary ids of the format's special tokens for one tokenizer."""

    query: int
    guard: int
    safe: int
    harm: int
    response: int
    eos: int
    categories: dict[str, int]


@dataclass(frozen=True)
class Example:
    """Token ids and per-token loss weights of one training sequence (0 weight: not a target).

    `labels[i]` is the token position i-1 must predict: `input_ids` unless a category token fed
    to the reply differs from the category the head must predict (`training_example`'s `reply_code`)."""

    input_ids: list[int]
    weights: list[float]
    labels: list[int] | None = None

    @property
    def targets(self) -> list[int]:
        return self.input_ids if self.labels is None else self.labels


class GuardFormat:
    """Builds token sequences for detection, forced safeguards and training."""

    def __init__(self, tokenizer, codes: Sequence[str], max_query_tokens: int = 128) -> None:
        self.tokenizer = tokenizer
        self.codes = tuple(codes)
        self.max_query_tokens = max_query_tokens
        vocab = tokenizer.get_vocab()
        missing = [t for t in self.special_tokens(self.codes) if t not in vocab]
        if missing:
            raise ValueError(f"tokenizer lacks the guard tokens {missing}; call add_guard_tokens first")
        if tokenizer.eos_token_id is None:
            raise ValueError("the base tokenizer has no end-of-sequence token")
        self.ids = TokenIds(
            query=vocab[QUERY],
            guard=vocab[GUARD],
            safe=vocab[SAFE],
            harm=vocab[HARM],
            response=vocab[RESPONSE],
            eos=tokenizer.eos_token_id,
            categories={code: vocab[category_token(code)] for code in self.codes},
        )

    @staticmethod
    def special_tokens(codes: Sequence[str]) -> list[str]:
        return [QUERY, GUARD, SAFE, HARM, RESPONSE, *(category_token(c) for c in codes)]

    @staticmethod
    def add_guard_tokens(tokenizer, codes: Sequence[str]) -> list[int]:
        """Register the format's tokens (idempotent); returns their ids in a fixed order."""
        tokens = GuardFormat.special_tokens(codes)
        tokenizer.add_special_tokens({"additional_special_tokens": tokens})
        vocab = tokenizer.get_vocab()
        return [vocab[t] for t in tokens]

    def encode_text(self, text: str, limit: int | None = None) -> list[int]:
        """Token ids of user text, never parsing special tokens written inside it.

        Text longer than the window keeps its head and tail: harmful requests often follow a
        long preamble (jailbreak templates), so dropping the end would hide them.
        """
        limit = self.max_query_tokens if limit is None else limit
        ids = self._tokens(text)
        if len(ids) <= limit:
            return ids
        head = limit // 2
        return ids[:head] + ids[len(ids) - (limit - head) :]

    def _tokens(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]

    def detection_windows(self, text: str) -> list[list[int]]:
        """Detection ids for every view of `text` the model must judge. A short text has one. A
        long one gets its head-and-tail view plus windows of half the model's window that end at
        sentence ends (at least a quarter window apart, and at the text's end): every sentence
        is read as the last thing in some window, as the model was trained to see a request,
        not diluted by the page of text that may follow it."""
        ids = self._tokens(text)
        wrap = lambda part: [self.ids.query, *part, self.ids.guard, self.ids.harm]  # noqa: E731
        if len(ids) <= self.max_query_tokens:
            return [wrap(ids)]
        limit = max(16, self.max_query_tokens // 2)
        gap = max(1, limit // 4)
        pieces = self.tokenizer.convert_ids_to_tokens(ids)
        ends, last = [], 0
        for position, piece in enumerate(pieces, start=1):
            if (position - last >= gap and any(mark in piece for mark in ".!?\n\u010a")) or position - last >= limit:
                ends.append(position)
                last = position
        if not ends or ends[-1] != len(ids):
            ends.append(len(ids))
        return [wrap(self.encode_text(text))] + [wrap(ids[max(0, end - limit) : end]) for end in ends]

    def detection_ids(self, text: str) -> list[int]:
        """`<|query|> text <|guard|> <|harm|>`: scores at positions -2 (verdict) and -1 (category)."""
        return [self.ids.query, *self.encode_text(text), self.ids.guard, self.ids.harm]

    def response_prefix(self, codes: Sequence[str]) -> list[int]:
        """What follows the detection ids before the safeguard response is decoded."""
        return [*(self.ids.categories[c] for c in codes), self.ids.response]

    def training_example(
        self,
        text: str,
        unsafe: bool,
        codes: Sequence[str] = (),
        response: str | None = None,
        verdict_weight: float = 1.0,
        category_weight: float = 1.0,
        detection_only: bool = False,
        reply_code: str | None = None,
    ) -> Example:
        """One supervised sequence; loss covers the verdict and everything the model writes after it.

        `reply_code`: `response` was written for this category, not for `codes`. The sequence
        then feeds that one category token to the reply, while the head's target at that
        position stays `codes[0]`: the category head learns the true category and the reply
        learns to follow whatever category token precedes it."""
        if reply_code is not None and (detection_only or not unsafe):
            raise ValueError("a swapped reply needs a harmful query, a reply and its category targets")
        prompt = [self.ids.query, *self.encode_text(text), self.ids.guard]
        labels = None
        if not unsafe:
            target = [self.ids.safe, self.ids.eos]
            weights = [verdict_weight, 1.0]
        else:
            if not codes:
                raise ValueError("an unsafe example needs at least one category")
            fed_codes = list(codes) if reply_code is None else [reply_code]
            target = [self.ids.harm, *(self.ids.categories[c] for c in fed_codes)]
            if detection_only:
                target.append(self.ids.eos)
            else:
                if not response:
                    raise ValueError("an unsafe example needs a safeguard response")
                reply = self.tokenizer(response, add_special_tokens=False)["input_ids"]
                target += [self.ids.response, *reply, self.ids.eos]
            weights = [verdict_weight] + [category_weight] * len(fed_codes) + [1.0] * (len(target) - 1 - len(fed_codes))
            if reply_code is not None:
                labels = prompt + target
                labels[len(prompt) + 1] = self.ids.categories[codes[0]]
        return Example(input_ids=prompt + target, weights=[0.0] * len(prompt) + weights, labels=labels)
