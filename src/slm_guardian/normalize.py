"""Undo simple obfuscation before the model reads a query: Unicode compatibility forms,
invisible characters, Latin look-alikes from other scripts, l33t digits inside words, letters
spread out with spaces, and base64-encoded requests. The user's text itself is never changed;
only the copy the model judges."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from confusable_homoglyphs import confusables

# Zero-width characters, bidi controls, word joiners, the BOM and the soft hyphen.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){2,}[^\W\d_](?!\S)")
# Digits between letters only ("b0mb", "h4ck3r"); "mp3", "covid19" and "4x4" stay as written.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
_LEET_WORD = re.compile(r"(?<=[^\W\d_])[013457]+(?=[^\W\d_])")
_LEET_TOKEN = re.compile(r"[^\W\d_][013457]+[^\W\d_]")  # a l33t digit inside a word: "m4ke", "b0mb"
_LEET_ANY = re.compile(r"\b[\w]*[013457][\w]*\b")
_MANY_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def normalize(text: str) -> str:
    """The text the model judges; see the module docstring for what is undone."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    # Decode base64 first: the rewrites below would corrupt an encoded payload.
    decoded = [d for d in (_decode(m.group(0)) for m in _BASE64.finditer(text)) if d]
    return "\n".join(_deobfuscate(part) for part in [text, *decoded])


def _deobfuscate(text: str) -> str:
    text = _latinize(text)
    text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _MANY_SPACES.sub(" ", text)
    if len(_LEET_TOKEN.findall(text)) >= 2:
        # Written in l33t throughout: digits at word edges and digit-only words are letters too.
        return _LEET_ANY.sub(lambda m: "".join(_LEET.get(c, c) for c in m.group(0)), text)
    return _LEET_WORD.sub(lambda m: "".join(_LEET[c] for c in m.group(0)), text)


def _latinize(text: str) -> str:
    """Map look-alike letters of other scripts to Latin, unless the text is really written in
    another script (a Russian or Greek query has letters with no Latin look-alike)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return text
    found = confusables.is_confusable(text, greedy=True, preferred_aliases=["latin"]) or []
    mapping = {}
    for item in found:
        if item["character"].isascii():
            continue  # digits and ASCII punctuation are left to the l33t rule
        latin = [h["c"] for h in item["homoglyphs"] if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()]
        if latin:
            mapping[item["character"]] = latin[0]
    foreign = sum(1 for c in letters if not c.isascii() and c not in mapping)
    if not mapping or foreign > 0.2 * len(letters):
        return text
    return "".join(mapping.get(c, c) for c in text)


def _decode(candidate: str) -> str | None:
    """The decoded text when `candidate` is base64 of readable UTF-8, else None."""
    try:
        raw = base64.b64decode(candidate + "=" * (-len(candidate) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(c.isprintable() or c.isspace() for c in text)
    return text if text and printable >= 0.95 * len(text) and any(c.isalpha() for c in text) else None
