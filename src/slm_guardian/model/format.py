"""The multi-task token format that fuses detection, categories and the safeguard response.

    <|query|> text <|guard|> <|safe|> <eos>
    <|query|> text <|guard|> <|harm|> <|cat:S9|> [<|cat:S1|> ...] <|response|> reply <eos>

The unsafe score is P(<|harm|>) at the <|guard|> position; category scores are the softmax
over category tokens at the <|harm|> position. Feeding `... <|guard|> <|harm|>` gives both
from one forward pass, because the causal mask hides <|harm|> from the <|guard|> position.

An adapter that judges responses (`judges_responses`) has one task more, the LLM's answer in
the context of the query that produced it:

    <|query|> query <|answer|> answer <|refusal|> <|guard|> <|safe|> <eos>
    <|query|> query <|answer|> answer <|refusal|> <|guard|> <|harm|> <|cat:S9|> <eos>

The refusal score is P(<|declined|>) against P(<|complied|>) at the <|refusal|> position. The
input after <|refusal|> is always <|guard|> (training puts the refusal target in `labels`), so
the verdict never depends on a refusal token the model would have had to decode: refusal,
verdict and categories come from one forward pass over `... <|refusal|> <|guard|> <|harm|>`.
Nothing is decoded to judge a response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

QUERY = "<|query|>"
GUARD = "<|guard|>"
SAFE = "<|safe|>"
HARM = "<|harm|>"
RESPONSE = "<|response|>"
# The response-judging task's tokens (adapters trained with `judge_responses`).
ANSWER = "<|answer|>"
REFUSAL = "<|refusal|>"
DECLINED = "<|declined|>"
COMPLIED = "<|complied|>"
RESPONSE_TASK_TOKENS = (ANSWER, REFUSAL, DECLINED, COMPLIED)
# Query tokens kept as context in every window of a judged answer (head and tail).
ANSWER_CONTEXT_TOKENS = 64


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
    # The response-judging task's tokens; None for an adapter trained without it.
    answer: int | None = None
    refusal: int | None = None
    declined: int | None = None
    complied: int | None = None


@dataclass(frozen=True)
class Example:
    """Token ids and per-token loss weights of one training sequence (0 weight: not a target).

    `labels[i]` is the token position i-1 must predict: `input_ids` unless a category token fed
    to the reply differs from the category the head must predict (`training_example`'s `reply_code`).
    `soft_verdict`: a P(harm) the verdict (the first target) is trained towards, over
    `<|harm|>` and `<|safe|>`, instead of the one verdict token in the sequence."""

    input_ids: list[int]
    weights: list[float]
    labels: list[int] | None = None
    soft_verdict: float | None = None

    @property
    def targets(self) -> list[int]:
        return self.input_ids if self.labels is None else self.labels


class GuardFormat:
    """Builds token sequences for detection, forced safeguards and training."""

    def __init__(self, tokenizer, codes: Sequence[str], max_query_tokens: int = 128, judges_responses: bool = False) -> None:
        self.tokenizer = tokenizer
        self.codes = tuple(codes)
        self.max_query_tokens = max_query_tokens
        self.judges_responses = judges_responses
        vocab = tokenizer.get_vocab()
        missing = [t for t in self.special_tokens(self.codes, judges_responses) if t not in vocab]
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
            **({t.strip("<|>"): vocab[t] for t in RESPONSE_TASK_TOKENS} if judges_responses else {}),
        )

    @staticmethod
    def special_tokens(codes: Sequence[str], judges_responses: bool = False) -> list[str]:
        """The format's tokens in a fixed order; the response task's come last, so an adapter
        trained without them keeps its token ids."""
        tokens = [QUERY, GUARD, SAFE, HARM, RESPONSE, *(category_token(c) for c in codes)]
        return tokens + list(RESPONSE_TASK_TOKENS) if judges_responses else tokens

    @property
    def guard_token_ids(self) -> list[int]:
        """Every token of the format: none of them belongs inside a written reply."""
        ids = self.ids
        extra = [i for i in (ids.answer, ids.refusal, ids.declined, ids.complied) if i is not None]
        return [ids.query, ids.guard, ids.safe, ids.harm, ids.response, *ids.categories.values(), *extra]

    @staticmethod
    def add_guard_tokens(tokenizer, codes: Sequence[str], judges_responses: bool = False) -> list[int]:
        """Register the format's tokens (idempotent); returns their ids in a fixed order."""
        tokens = GuardFormat.special_tokens(codes, judges_responses)
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
        wrap = lambda part: [self.ids.query, *part, self.ids.guard, self.ids.harm]  # noqa: E731
        return [wrap(part) for part in self._views(text, self.max_query_tokens)]

    def _views(self, text: str, window: int) -> list[list[int]]:
        """The token views of `text` that `detection_windows` wraps (see there)."""
        ids = self._tokens(text)
        if len(ids) <= window:
            return [ids]
        limit = max(16, window // 2)
        gap = max(1, limit // 4)
        pieces = self.tokenizer.convert_ids_to_tokens(ids)
        ends, last = [], 0
        for position, piece in enumerate(pieces, start=1):
            if (position - last >= gap and any(mark in piece for mark in ".!?\n\u010a")) or position - last >= limit:
                ends.append(position)
                last = position
        if not ends or ends[-1] != len(ids):
            ends.append(len(ids))
        return [self.encode_text(text, window)] + [ids[max(0, end - limit) : end] for end in ends]

    def response_windows(self, query: str, answer: str) -> list[list[int]]:
        """Ids that judge `answer` in the context of `query`, one per view of the answer (as
        `detection_windows` cuts a long text); every view keeps the query's head and tail as
        context. Scores at positions -3 (refusal), -2 (verdict) and -1 (category). The first
        view is the whole answer's head and tail: where a refusal says so."""
        self._require_response_task()
        context = self.encode_text(query, ANSWER_CONTEXT_TOKENS)
        ids = self.ids
        return [[ids.query, *context, ids.answer, *part, ids.refusal, ids.guard, ids.harm] for part in self._views(answer, self.max_query_tokens)]

    def _require_response_task(self) -> None:
        if not self.judges_responses:
            raise ValueError("this adapter was trained without the response-judging task (judge_responses)")

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

    def response_training_example(
        self,
        query: str,
        answer: str,
        unsafe: bool | None,
        codes: Sequence[str] = (),
        refusal: bool | None = None,
        verdict_weight: float = 1.0,
        category_weight: float = 1.0,
        refusal_weight: float = 1.0,
    ) -> Example:
        """One response-judging sequence. A label a source does not give (`unsafe` or `refusal`
        None) gets weight 0: the row teaches only what it knows."""
        self._require_response_task()
        if unsafe and not codes:
            raise ValueError("an unsafe response needs at least one category")
        if unsafe is None and refusal is None:
            raise ValueError("a response example needs a harm label, a refusal label or both")
        ids = self.ids
        prompt = [ids.query, *self.encode_text(query, ANSWER_CONTEXT_TOKENS), ids.answer, *self.encode_text(answer), ids.refusal]
        verdict = [ids.harm, *(ids.categories[c] for c in codes)] if unsafe else [ids.safe]
        inputs = prompt + [ids.guard] + verdict + [ids.eos]
        labels = list(inputs)
        labels[len(prompt)] = ids.declined if refusal else ids.complied  # what <|refusal|> predicts
        weights = [0.0] * len(prompt) + [refusal_weight if refusal is not None else 0.0]
        if unsafe is None:
            weights += [0.0] * (len(verdict) + 1)
        else:
            weights += [verdict_weight] + [category_weight] * (len(verdict) - 1) + [1.0]
        return Example(input_ids=inputs, weights=weights, labels=labels)
