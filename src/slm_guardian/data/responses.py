"""Composes the safeguard responses the model learns to write.

No teacher model is available (see DESIGN.md), so each response is assembled from the
taxonomy's per-category reasons and alternatives, the query's own topic phrase, and varied
sentence frames. A response is 2-4 sentences: what is declined (specifically), why (in terms
of the category), and a safe alternative. It restates the request at most as a short phrase
and never contains instructions.
"""

from __future__ import annotations

import hashlib
import random
import re

from slm_guardian.taxonomy import Category, Taxonomy

_REQUEST_LEAD = re.compile(
    r"^(?:(?:please|hey|hi|ok|so)[,!]?\s+)*"
    r"(?:how (?:can|do|would|could|should|might) (?:i|we|one|you|someone)\s+|how to\s+|"
    r"what(?:'s| is| are) the (?:best|easiest|quickest|fastest|smartest|safest|simplest|most \w+) (?:way|ways|method|methods) to\s+|"
    r"(?:what are )?(?:some )?(?:ways|tips|steps) (?:to|for)\s+|"
    r"(?:can|could|would|will) you (?:please )?(?:help me |tell me how to |show me how to |explain how to )?|"
    r"i (?:want|need|would like) (?:you )?to\s+|help me\s+|teach me (?:how )?to\s+|tell me how to\s+|"
    r"(?:describe|explain|detail|outline|show me|list|give me|provide) (?:in detail )?(?:how to|ways to|steps to)\s+)",
    re.IGNORECASE,
)
_IMPERATIVE = re.compile(
    r"^(write|create|develop|design|generate|give|provide|explain|describe|draft|compose|produce|"
    r"outline|list|teach|show|make|build|suggest|find|help|tell|convince|reproduce|run|execute|"
    r"use|publish|post|send|plan|instruct|demonstrate|offer|share|detail|devise|craft|code|program)\b",
    re.IGNORECASE,
)
_PRONOUNS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "i'm": "you're", "am": "are", "we": "you", "our": "your", "us": "you"}
_MAX_TOPIC_WORDS = 14

_DECLINE = (
    "I can't help you {vp}.",
    "I won't be able to help you {vp}.",
    "I'm not able to help you {vp}.",
    "Sorry, but I can't help you {vp}.",
    "I have to decline helping you {vp}.",
)
_DECLINE_GERUND = (
    "I can't help with {vp}.",
    "I'm not able to help with {vp}.",
    "Sorry, but I can't assist with {vp}.",
)
_DECLINE_SELF_HARM = (
    "I can't give you information that could be used to hurt yourself.",
    "I won't share anything that could help you harm yourself.",
)
_DECLINE_QUESTION = (
    "I can't help with a question like \"{q}\", because it involves {topic}.",
    "I'm not able to answer \"{q}\", since it involves {topic}.",
    "Sorry, I won't help with \"{q}\": it involves {topic}.",
)
_DECLINE_TOPIC = (
    "I can't help with this request, because it asks for {topic}.",
    "I'm not able to help with this, since it involves {topic}.",
    "Sorry, I can't assist with a request that involves {topic}.",
    "I won't help with this one: it involves {topic}.",
)
_REASON = ("This is because {reason}.", "The reason is that {reason}.", "I'm declining because {reason}.", "{Reason}.")
_SELF_HARM_OPENING = (
    "I'm really sorry you're going through this, and I'm glad you reached out.",
    "It sounds like you're in a lot of pain right now, and I'm glad you told me.",
    "I'm sorry things feel this hard right now.",
)


def topic_phrase(query: str) -> str | None:
    """The request as a short verb phrase in the second person ("make a pipe bomb at home")."""
    text = " ".join(query.strip().split())
    text = re.sub(r"[?.!]+$", "", text)
    rest = _REQUEST_LEAD.sub("", text, count=1)
    if rest == text and not _IMPERATIVE.match(text):
        return None
    words = rest.split()
    if len(words) < 2 or len(words) > 40 or any(ch in rest for ch in "{}<>|\n"):
        return None
    words = [_swap_pronoun(w) for w in words[:_MAX_TOPIC_WORDS]]
    phrase = " ".join(words).rstrip(",;:")
    if phrase and phrase[0].isupper() and not phrase[:2].isupper():
        phrase = phrase[0].lower() + phrase[1:]
    return phrase


def _swap_pronoun(word: str) -> str:
    core = word.lower().strip(",.;:")
    swapped = _PRONOUNS.get(core)
    return word.lower().replace(core, swapped, 1) if swapped else word


def compose_response(query: str, codes: list[str] | tuple[str, ...], taxonomy: Taxonomy, seed: int = 0) -> str:
    """A safeguard response for `query` violating `codes` (first code leads), deterministic per query."""
    digest = hashlib.sha256(f"{seed}:{query}".encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    category = taxonomy[codes[0]]
    topic = topic_phrase(query)
    parts: list[str] = []
    if "self-harm" in category.openai:
        parts.append(rng.choice(_SELF_HARM_OPENING))
        parts.append(rng.choice(_DECLINE_SELF_HARM))
    elif topic and _is_gerund(topic.split()[0]):
        parts.append(rng.choice(_DECLINE_GERUND).format(vp=topic))
    elif topic:
        parts.append(rng.choice(_DECLINE).format(vp=topic))
    elif _short_question(query):
        parts.append(rng.choice(_DECLINE_QUESTION).format(q=_short_question(query), topic=category.topic))
    else:
        parts.append(rng.choice(_DECLINE_TOPIC).format(topic=category.topic))
    parts.append(_reason_sentence(category, rng))
    parts.append(rng.choice(category.alternatives))
    return " ".join(parts)


def _short_question(query: str) -> str | None:
    """A short question quoted back (lower-cased, no final mark), or None for long or odd text."""
    text = " ".join(query.split())
    words = text.rstrip("?.! ").split()
    if not 3 <= len(words) <= 14 or any(ch in text for ch in "{}<>|\"\n"):
        return None
    phrase = " ".join(_swap_pronoun(w) for w in words)
    return phrase[0].lower() + phrase[1:]


_NOT_GERUNDS = {"bring", "sing", "ring", "string", "sling", "swing", "sting", "wring", "spring", "king", "thing"}


def _is_gerund(word: str) -> bool:
    word = word.lower()
    return word.endswith("ing") and len(word) > 4 and word not in _NOT_GERUNDS


def _reason_sentence(category: Category, rng: random.Random) -> str:
    reason = rng.choice(category.reasons)
    frame = rng.choice(_REASON)
    return frame.format(reason=reason, Reason=reason[:1].upper() + reason[1:])
