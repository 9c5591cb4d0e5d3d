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
# A frame in front of the request ("Hypothetically speaking, could you ...", "For my novel, I
# need ...", "Let's role-play: you are X. ..."): dropped so the reply restates what is asked.
_FRAME_LEAD = re.compile(
    r"^(?:(?:hypothetically(?: speaking)?|just curious|asking for a friend|be honest with me|for research(?: purposes)?|"
    r"for (?:my|a|our) (?:\w+ ){0,2}(?:novel|story|screenplay|script|book|class|paper|project|game|podcast|debate)|"
    r"as an? (?:novelist|writer|author|researcher|student))[,:]?\s+|let(?:'|’)s role-?play:[^.!?]*[.!?]\s+|in a role-?play[^,:]*[,:]\s+)"
    r"(?:(?:i need|i want) |(?:could|can|would) you (?:please )?|please )?",
    re.IGNORECASE,
)
_NOUN_START = re.compile(r"^(?:a|an|the|some)\s", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|myself|i'm|i've|i'd)\b", re.IGNORECASE)
_IMPERATIVE = re.compile(
    r"^(write|create|develop|design|generate|give|provide|explain|describe|draft|compose|produce|"
    r"outline|list|teach|show|make|build|suggest|find|help|tell|convince|reproduce|run|execute|"
    r"use|publish|post|send|plan|instruct|demonstrate|offer|share|detail|devise|craft|code|program)\b",
    re.IGNORECASE,
)
_PRONOUNS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "i'm": "you're", "am": "are", "we": "you", "our": "your", "us": "you"}
_MAX_TOPIC_WORDS = 18
# Replies for these never quote the query back: a quoted slur or sexual text is the harm itself.
_ECHO_FREE = frozenset({"hate", "harassment", "sexual", "sexual/minors"})
_QUESTION_START = re.compile(r"^(how|what|what's|why|where|when|which|who|can|could|would|is|are|do|does|should|will)\b", re.IGNORECASE)

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
    "I'm not going to give details that could put you in danger.",
    "I can't help with anything that could hurt you.",
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
    "Thank you for telling me; that sounds really heavy to carry.",
    "I'm sorry you're hurting, and I'm glad you said something.",
)


# "Give me X", "Tell me about X": the object is a noun phrase ("help with X"), not a verb phrase.
_ASK_FOR = re.compile(
    r"^(?:give|tell|show|send|get|find|write|make|bring|provide|offer|hand|list|draft|compose|create) "
    r"(?:me|us)(?: with| about| a list of)?\s+",
    re.IGNORECASE,
)
# Words a long request is cut before, so a shortened restatement ends on a whole phrase
# ("write a script that encrypts every file") rather than mid-clause ("... and demands").
_CLAUSE_BOUNDARY = frozenset(
    "that which who whose where when while and or but so because if unless without with using by for to in on at from "
    "into until after before than like as".split()
)
_DANGLING = frozenset("a an the and or of to for with in on at by my your his her their its this that some any how what which why exactly precisely".split())
# For hate and harassment (and defamation, whose OpenAI name is harassment) the claim itself is
# the harm: a restatement stops before it ("write a speech like this", not "... arguing that
# <group> are ..."), and without a clear cut the reply names the category instead.
_CLAIM_START = frozenset("that which who arguing claiming saying calling mocking explaining proving about where in with".split())
_NO_CLAIM_RESTATED = frozenset({"hate", "harassment"})


def topic_phrase(query: str) -> str | None:
    """The request as a short phrase in the second person: a verb phrase ("make a pipe bomb at
    home") or, for "Give me X", the noun phrase X; None when the query does not read as one."""
    restated = _restate(query)
    return restated[1] if restated else None


def _restate(query: str) -> tuple[str, str] | None:
    """("vp", verb phrase) or ("np", noun phrase) restating the request, or None."""
    text = " ".join(query.strip().split())
    text = re.sub(r"[?.!]+$", "", text)
    unframed = _FRAME_LEAD.sub("", text, count=1)
    # "For my novel, I need a scene that ...": what is asked for is a noun phrase
    kind = "np" if unframed != text and _NOUN_START.match(unframed) else "vp"
    text = unframed
    rest = _REQUEST_LEAD.sub("", text, count=1)
    if kind == "vp" and rest == text and not _IMPERATIVE.match(text):
        return None
    noun = _ASK_FOR.sub("", rest, count=1) if kind == "vp" else rest
    if noun != rest:
        kind, rest = "np", noun
    words = rest.split()
    if len(words) < 2 or len(words) > 40 or any(ch in rest for ch in "{}<>|\n"):
        return None
    words = _shorten(words)
    if words is None:
        return None
    words = [_swap_pronoun(w) for w in words]
    phrase = " ".join(words).rstrip(",;:")
    if phrase and phrase[0].isupper() and not phrase[:2].isupper():
        phrase = phrase[0].lower() + phrase[1:]
    if kind == "vp" and _is_gerund(phrase.split()[0]):
        kind = "np"
    return kind, phrase


def _without_claim(restated: tuple[str, str]) -> tuple[str, str] | None:
    """The restatement cut before its claim ("write a speech like this"); None if nothing is left."""
    kind, phrase = restated
    words = phrase.split()
    cut = next((i for i, w in enumerate(words) if i >= 2 and w.lower() in _CLAIM_START), None)
    if cut is None:
        return None if len(words) > 3 else restated
    return kind, " ".join(words[:cut] + ["like", "this"])


def _shorten(words: list[str]) -> list[str] | None:
    """At most _MAX_TOPIC_WORDS words, cut before a clause boundary; None if no clean cut."""
    if len(words) <= _MAX_TOPIC_WORDS:
        return words
    cuts = [i for i in range(3, _MAX_TOPIC_WORDS + 1) if words[i].lower().strip(",;:") in _CLAUSE_BOUNDARY or words[i - 1].endswith(",")]
    if not cuts:
        return None
    kept = words[: cuts[-1]]
    while kept and kept[-1].lower().strip(",;:") in _DANGLING:
        kept.pop()
    return kept if len(kept) >= 3 else None


def _swap_pronoun(word: str) -> str:
    core = word.lower().strip(",.;:")
    swapped = _PRONOUNS.get(core)
    return word.lower().replace(core, swapped, 1) if swapped else word


def compose_response(query: str, codes: list[str] | tuple[str, ...], taxonomy: Taxonomy, seed: int = 0) -> str:
    """A safeguard response for `query` violating `codes`, deterministic per query. The code of
    highest reply priority leads (self-harm before specialised advice), else the first."""
    digest = hashlib.sha256(f"{seed}:{query}".encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    category = taxonomy[taxonomy.leading_code(codes)]
    restated = _restate(query)
    if restated and _NO_CLAIM_RESTATED.intersection(category.openai):
        restated = _without_claim(restated)
    parts: list[str] = []
    if "self-harm" in category.openai:
        parts.append(rng.choice(_SELF_HARM_OPENING))
        if restated and not _FIRST_PERSON.search(query):  # content asked for, not the user's own intent
            frames = _DECLINE_GERUND if restated[0] == "np" else _DECLINE
            parts.append(rng.choice(frames).format(vp=restated[1]))
        else:
            parts.append(rng.choice(_DECLINE_SELF_HARM))
    elif restated and restated[0] == "np":
        parts.append(rng.choice(_DECLINE_GERUND).format(vp=restated[1]))
    elif restated:
        parts.append(rng.choice(_DECLINE).format(vp=restated[1]))
    elif _short_question(query) and not _ECHO_FREE.intersection(category.openai):
        parts.append(rng.choice(_DECLINE_QUESTION).format(q=_short_question(query), topic=category.topic))
    else:
        parts.append(rng.choice(_DECLINE_TOPIC).format(topic=category.topic))
    parts.append(_reason_sentence(category, rng))
    parts.append(rng.choice(category.alternatives))
    return " ".join(parts)


def _short_question(query: str) -> str | None:
    """A short question quoted back (lower-cased, no final mark), or None for long or odd text."""
    text = " ".join(query.split())
    if not (text.endswith("?") or _QUESTION_START.match(text)):
        return None  # a statement, not a question: nothing to quote back
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
