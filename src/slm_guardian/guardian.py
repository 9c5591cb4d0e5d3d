"""The public API: `Guardian.load()`, then `check`, `check_batch` and `force_safeguard`."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Union

from slm_guardian.errors import GuardianError, InvalidInput
from slm_guardian.guardian_config import GuardianConfig
from slm_guardian.model.backend import GuardBackend
from slm_guardian.model.scores import Scores
from slm_guardian.normalize import normalize
from slm_guardian.taxonomy import Taxonomy
from slm_guardian.verdict import CategoryScore, Verdict

SHIPPED_ADAPTER = "smollm2-135m-guardian"
# The guards by name (`Guardian.load(model=...)`, `--model`); the English guard is the default.
SHIPPED_MODELS = {"english": SHIPPED_ADAPTER, "multilingual": "qwen2.5-coder-0.5b-multilingual"}
MAX_INPUT_CHARS = 100_000

Message = Mapping[str, str]
Query = Union[str, Sequence[Message]]


BACKENDS = ("torch", "ctranslate2")

# The forced reply when the guard finds no category: it declines without claiming a reason
# the query does not have (forced mode promises a refusal, not a diagnosis).
NEUTRAL_REPLY = (
    "I'm not able to help with this request here. This assistant is set up to decline some requests, "
    "even ones that may be harmless, and I can't tell you more about why. "
    "If you think this is a mistake, try rephrasing it, or ask me something else."
)


def _weights_dir(name: str) -> Path:
    return Path(str(resources.files("slm_guardian").joinpath("weights", name)))


def shipped_adapter_dir() -> Path:
    return _weights_dir(SHIPPED_ADAPTER)


def model_adapter_dir(model: str) -> Path:
    """The adapter folder of the guard named `model` (see `SHIPPED_MODELS`), or a clear error
    naming the choices, or saying that this install does not hold it."""
    if model not in SHIPPED_MODELS:
        raise GuardianError(f"model must be one of {', '.join(SHIPPED_MODELS)}, not {model!r}")
    folder = _weights_dir(SHIPPED_MODELS[model])
    if not (folder / "adapter_config.json").is_file():
        raise GuardianError(
            f"the {model} guard is not in this install ({SHIPPED_MODELS[model]} has not been trained and shipped yet; "
            "docs/model-card.md says which guards are); pass --adapter with one you trained"
        )
    return folder


def default_adapter_dir() -> Path:
    """`SLM_GUARDIAN_ADAPTER` when set (a deployment's own adapter), else the shipped one."""
    override = os.environ.get("SLM_GUARDIAN_ADAPTER")
    return Path(override) if override else shipped_adapter_dir()


class Guardian:
    """Flags harmful queries, scores harm categories and writes safeguard responses."""

    def __init__(self, model: GuardBackend, taxonomy: Taxonomy, config: GuardianConfig | None = None, task: str = "multitask") -> None:
        self.model = model
        self.taxonomy = taxonomy
        self.config = config or GuardianConfig()
        self.config.validate_codes(model.fmt.codes)
        # What the adapter was trained for: "multitask" (shipped), or one task of the ablation,
        # "detection" (no replies) or "response" (trained on harmful queries only: no verdict).
        self.task = task

    @property
    def judges_responses(self) -> bool:
        """Whether the adapter was trained to judge an LLM's answers (`check_response`)."""
        return self.model.fmt.judges_responses

    @classmethod
    def load(
        cls,
        adapter: str | Path | None = None,
        base_model: str | Path | None = None,
        config: GuardianConfig | str | Path | None = None,
        threads: int | None = None,
        backend: str = "torch",
        model: str | None = None,
    ) -> Guardian:
        """Load the shipped model (or `adapter`, on `base_model`) with thresholds from `config`.

        `backend`: "torch" (the reference path, eager PyTorch fp32) or "ctranslate2" (int8, the
        fast path; converted once per adapter and cached; scores within 0.25 of the threshold
        are recomputed in float32 so verdicts match the reference). `threads`: CPU threads of
        the model (default: all cores for torch, one for ctranslate2, its fastest per query;
        ctranslate2 runs more as one-thread replicas, each scoring its own batches).
        `model`: a shipped guard by name instead of `adapter` ("english", the default, or
        "multilingual")."""
        if backend not in BACKENDS:
            raise GuardianError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        if isinstance(config, (str, Path)):
            config = GuardianConfig.from_yaml(config)
        config = config or GuardianConfig()
        if adapter and model:
            raise GuardianError("give an adapter folder or a model name, not both")
        adapter_dir = Path(adapter) if adapter else model_adapter_dir(model) if model else default_adapter_dir()
        base = str(base_model) if base_model else None
        if backend == "ctranslate2":
            from slm_guardian.model.ct2_model import band_around, load_ct2_guard_model

            # The band follows the threshold; per-category thresholds are not rechecked.
            model = load_ct2_guard_model(adapter_dir, base, threads=threads, recheck_band=band_around(config.threshold))
        else:
            from slm_guardian.model.loading import load_guard_model

            model = load_guard_model(adapter_dir, base, threads=threads)
        custom = adapter_dir / "taxonomy.yaml"
        taxonomy = Taxonomy.from_yaml(custom) if custom.is_file() else Taxonomy.default()
        return cls(model, taxonomy, config, task=trained_task(adapter_dir))

    # ---- judging ------------------------------------------------------------------

    def check(self, query: Query, respond: bool = True) -> Verdict:
        """Judge one query (text, or chat messages); writes the safeguard response when flagged.
        A conversation whose last message is the assistant's judges that answer in the context
        of the turns before it (`check_response`)."""
        if _exchange(query) is not None:
            return self.check_batch([query], respond=respond)[0]
        views = [self._model_text(v) for v in to_views(query)]
        if len(views) > 1:
            return self.check_batch([query], respond=respond)[0]
        scores, cache = self.model.score_with_cache(views[0])
        verdict = self._verdict(scores)
        if verdict.flagged and respond:
            verdict = self._respond(verdict, views[0], cache)
        return verdict

    def check_batch(self, queries: Sequence[Query], respond: bool = True, batch_size: int = 16) -> list[Verdict]:
        """Judge many queries in length-sorted batches; responses are written for flagged ones.
        A conversation is judged as its joined user turns and as each user turn alone, and its
        worst view decides, so an earlier harmful turn is not diluted by harmless later ones.
        A conversation that ends with the assistant's message is judged as that answer in its
        context (`check_response`)."""
        exchanges = {i: pair for i, q in enumerate(queries) if (pair := _exchange(q)) is not None}
        if exchanges and not self.judges_responses:
            raise InvalidInput("this adapter does not judge responses (it was trained without judge_responses); judge the user's query instead")
        views = [[self._model_text(v) for v in to_views(q)] for i, q in enumerate(queries) if i not in exchanges]
        flat = [text for group in views for text in group]
        scores = iter(self.model.score(flat, batch_size=batch_size))
        pairs = [(self._model_text(context), self._model_text(answer)) for context, answer in exchanges.values()]
        judged = dict(zip(exchanges, self.model.score_responses(pairs, batch_size=batch_size))) if pairs else {}
        contexts = {i: context for i, (context, _) in zip(exchanges, pairs)}
        prompt_views = iter(views)
        verdicts, texts = [], []
        for i in range(len(queries)):
            if i in judged:
                verdict = self._verdict(judged[i])
                verdicts.append(replace(verdict, judged="response", refusal=judged[i].refusal))
                texts.append(contexts[i])
                continue
            group = next(prompt_views)
            worst = max(((next(scores), text) for text in group), key=lambda pair: pair[0].unsafe)
            verdicts.append(self._verdict(worst[0]))
            texts.append(worst[1])
        if respond:
            flagged = [i for i, v in enumerate(verdicts) if v.flagged]
            for i, verdict in zip(flagged, self._respond_all([verdicts[i] for i in flagged], [texts[i] for i in flagged])):
                verdicts[i] = verdict
        return verdicts

    def check_response(self, query: Query, response: str, respond: bool = True) -> Verdict:
        """Judge an LLM's `response` in the context of `query` (text, or the conversation
        before the answer): `judged="response"`, the unsafe score and categories of the answer,
        and `refusal`, P(the answer declines). A flagged answer gets the safeguard response the
        user should see instead (written for the query, for the answer's categories)."""
        return self.check_batch([[*_as_messages(query), {"role": "assistant", "content": response}]], respond=respond)[0]

    def force_safeguard(self, query: Query) -> Verdict:
        """Write a safeguard response whatever the verdict (the paper's forced harm token). For a
        flagged query the reply is written for its categories; for any other it is NEUTRAL_REPLY,
        which gives no category as the reason."""
        text = self._model_text(to_text(query))
        scores, cache = self.model.score_with_cache(text)
        verdict = self._verdict(scores)
        return self._respond(verdict, text, cache)

    def write_reply(self, query: Query, codes: Sequence[str]) -> str:
        """The safeguard reply the model writes for `query` as if it violated `codes` (first
        leads), whatever the verdict: for callers that know the category, and for timing."""
        unknown = [c for c in codes if c not in self.model.fmt.codes]
        if not codes or unknown:
            raise InvalidInput(f"codes must be a non-empty list of known categories, got {list(codes)}")
        return self.model.respond(self._model_text(to_text(query)), list(codes))

    def with_response(self, verdict: Verdict, query: Query) -> Verdict:
        """`verdict` with the safeguard response for `query` (for its categories; NEUTRAL_REPLY if it has none)."""
        return self._respond(verdict, self._model_text(to_text(query)))

    def with_responses(self, verdicts: Sequence[Verdict], queries: Sequence[Query]) -> list[Verdict]:
        """`with_response` for many at once: the replies are decoded in one batch."""
        return self._respond_all(verdicts, [self._model_text(to_text(q)) for q in queries])

    def _reply_codes(self, verdict: Verdict) -> list[str] | None:
        """The categories a reply is written for; None: the neutral reply."""
        codes = verdict.category_codes
        if not codes and self.task == "response":
            # The response-only ablation model has no verdict: lead with its likeliest category.
            codes = [max(verdict.category_scores, key=verdict.category_scores.get)]
        # Forced on a query that is not flagged: a reply written for the likeliest category
        # would give a reason that does not apply.
        return codes or None

    def _respond(self, verdict: Verdict, text: str, cache: object | None = None) -> Verdict:
        codes = self._reply_codes(verdict)
        if codes is None:
            return replace(verdict, response=NEUTRAL_REPLY)
        return replace(verdict, response=self.model.respond(text, codes, cache))

    def _respond_all(self, verdicts: Sequence[Verdict], texts: Sequence[str]) -> list[Verdict]:
        out = [replace(v, response=NEUTRAL_REPLY) for v in verdicts]
        todo = [(i, codes) for i, v in enumerate(verdicts) if (codes := self._reply_codes(v)) is not None]
        if todo:
            replies = self.model.respond_batch([texts[i] for i, _ in todo], [codes for _, codes in todo])
            for (i, _), reply in zip(todo, replies):
                out[i] = replace(verdicts[i], response=reply)
        return out

    # ---- internals ----------------------------------------------------------------

    def _model_text(self, text: str) -> str:
        return normalize(text) if self.config.normalize else text

    def _verdict(self, scores: Scores) -> Verdict:
        joint = {c: scores.unsafe * p for c, p in scores.categories.items()}
        enabled = [c for c in joint if c not in self.config.disabled]
        # Highest reply priority first (self-harm's crisis support before specialised advice),
        # then by score: the first category is the one the reply is written for.
        violated = sorted(
            (c for c in enabled if joint[c] >= self.config.threshold_for(c)), key=lambda c: (-self._priority(c), -joint[c])
        )
        flagged = scores.unsafe >= self.config.threshold and bool(violated)
        categories = [CategoryScore(c, self._name(c), joint[c]) for c in violated] if flagged else []
        return Verdict(flagged=flagged, unsafe_score=scores.unsafe, categories=categories, category_scores=joint)

    def _priority(self, code: str) -> int:
        return self.taxonomy[code].priority if code in self.taxonomy else 0

    def _name(self, code: str) -> str:
        return self.taxonomy[code].name if code in self.taxonomy else code


def trained_task(adapter_dir: Path) -> str:
    """The task an adapter was trained for, from its training record (default: multitask)."""
    record = adapter_dir / "training_record.json"
    if not record.is_file():
        return "multitask"
    try:
        return json.loads(record.read_text(encoding="utf-8")).get("config", {}).get("task") or "multitask"
    except (json.JSONDecodeError, AttributeError):
        return "multitask"


def _exchange(query: Query) -> tuple[str, str] | None:
    """(the text before the answer, the answer) for a conversation whose last message is the
    assistant's; None for anything else (a query to judge as a prompt)."""
    if isinstance(query, str) or not isinstance(query, Sequence) or not query:
        return None
    last = query[-1]
    if not isinstance(last, Mapping) or last.get("role") != "assistant":
        return None
    answer = last.get("content")
    if not isinstance(answer, str) or not answer.strip():
        raise InvalidInput("the assistant message to judge is empty")
    if len(answer) > MAX_INPUT_CHARS:
        raise InvalidInput(f"the response is {len(answer)} characters; the limit is {MAX_INPUT_CHARS}")
    if not any(isinstance(m, Mapping) and m.get("role", "user") == "user" for m in query[:-1]):
        raise InvalidInput("a response is judged in the context of the user message before it; the conversation has none")
    return to_text(query[:-1]), answer


def _as_messages(query: Query) -> list[Message]:
    if isinstance(query, str):
        return [{"role": "user", "content": query}]
    if isinstance(query, Sequence) and not isinstance(query, (bytes, bytearray)):
        return list(query)
    raise InvalidInput(f"a query must be a string or a list of chat messages, not {type(query).__name__}")


def to_views(query: Query) -> list[str]:
    """What the model reads for a query: the text; for a conversation with several user turns,
    the joined turns first, then each turn alone."""
    text = to_text(query)
    if isinstance(query, str):
        return [text]
    turns = [m["content"] for m in query if m.get("role", "user") == "user" and m["content"].strip()]
    return [text, *turns] if len(turns) > 1 else [text]


def to_text(query: Query) -> str:
    """The text the model judges: the query itself, or the user turns of a conversation."""
    if isinstance(query, str):
        text = query
    elif isinstance(query, Sequence) and not isinstance(query, (bytes, bytearray)):
        text = _messages_to_text(query)
    else:
        raise InvalidInput(f"a query must be a string or a list of chat messages, not {type(query).__name__}")
    # Lone surrogates and NUL bytes cannot be tokenized; replace them rather than fail.
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    if not text.strip():
        raise InvalidInput("the query is empty")
    if len(text) > MAX_INPUT_CHARS:
        raise InvalidInput(f"the query is {len(text)} characters; the limit is {MAX_INPUT_CHARS}")
    return text


def _messages_to_text(messages: Sequence[Message]) -> str:
    if not messages:
        raise InvalidInput("the conversation has no messages")
    turns = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or not isinstance(message.get("content"), str):
            raise InvalidInput(f"message {i} must be an object with a string 'content'")
        if message.get("role", "user") == "user":
            turns.append(message["content"])
    if not turns:
        raise InvalidInput("the conversation has no user message to judge")
    # Earlier user turns give context; the last one is what is being asked now.
    return "\n".join(turns)
