"""The papers a ranking counts in, when the question names them by their words ("which benchmark appears most
in the test-time scaling papers?", "datasets used by papers on model merging"): the words between a preposition
and a word for papers, or right after "papers on/about/that study". The ranking then counts entities found with
that subject (a co-occurrence), over the papers whose title or abstract has the phrase.
"""

from __future__ import annotations

import re

from papergraph.query.textindex import TextIndex

_WORDS = r"(?P<p>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3}?)"
_PAPERS = r"(?:papers?|works|studies|articles|publications)"
_NAMED = (
    re.compile(
        rf"\b(?:in|among|for|across|from|of)\s+(?:the\s+|these\s+|those\s+|all\s+)?{_WORDS}\s+{_PAPERS}\b", re.I
    ),
    re.compile(
        rf"\b{_PAPERS}\s+(?:on|about|that\s+(?:use|study|propose|apply))\s+(?:the\s+)?{_WORDS}"
        r"(?=\s+(?:use|mention|name|report|cite|do|most)\b|\s*[?,.;:!]|\s*$)",
        re.I,
    ),
)
MAX_SHARE = 0.25  # a phrase more papers than this have names no subject ("the deep learning papers")


def papers_phrase(text: str, index: TextIndex, stopwords: frozenset[str]) -> tuple[str, int, int] | None:
    """The phrase naming the papers a ranking counts in, and its span (its longest ending the corpus has);
    None when the question names none, or no paper (or most papers) has it."""
    for pattern in _NAMED:
        for m in pattern.finditer(text):
            start, end = m.span("p")
            words = m["p"].split()
            for first in range(len(words)):
                if words[first].casefold() in stopwords:
                    continue
                phrase = " ".join(words[first:])
                share = index.rarity(phrase)
                if 0 < share <= MAX_SHARE:
                    at = end - len(phrase)
                    return (phrase, at, end) if text[at:end] == phrase else (phrase, start, end)
    return None


__all__ = ["papers_phrase"]
