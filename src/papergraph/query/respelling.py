"""The question respelled: misspelled words replaced by the corpus words they stand for, and the text searched
(corrections applied, defined acronyms expanded)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from papergraph.query.linking import Link
from papergraph.query.plan import MatchKind

Respelled = tuple[int, int, str, str]  # (start, end) in the respelled question, the word typed, the word read


def respelled(text: str, spelling: Sequence[tuple[str, str]]) -> tuple[str, list[Respelled]]:
    """The question with its misspelled words replaced by the corpus words they stand for (a capital kept),
    and where each replacement now stands."""
    fixes = dict(spelling)
    if not fixes:
        return text, []
    out: list[str] = []
    spans: list[Respelled] = []
    at = 0
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(fixes, key=len, reverse=True)) + r")\b")
    for m in pattern.finditer(text):
        typed = m.group(0)
        word = fixes[typed]
        word = word[:1].upper() + word[1:] if typed[:1].isupper() else word
        out.append(text[at : m.start()])
        start = sum(len(p) for p in out)
        out.append(word)
        spans.append((start, start + len(word), typed, word))
        at = m.end()
    out.append(text[at:])
    return "".join(out), spans


def within(a: int, b: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= a and b <= e for s, e in spans)


def search_text(text: str, links: Sequence[Link], spelling: Sequence[tuple[str, str]]) -> str:
    """The question with misspellings corrected and defined acronyms expanded, for the similarity search."""
    out = text
    for link in sorted(links, key=lambda lk: -lk.start):
        if link.match is MatchKind.CORRECTED:
            out = out[: link.start] + link.words + out[link.end :]
        elif link.match is MatchKind.ABBREVIATION:
            out = out[: link.end] + f" ({link.words})" + out[link.end :]
    for typed, corrected in spelling:
        out = re.sub(rf"\b{re.escape(typed)}\b", corrected, out)
    return out


__all__ = ["Respelled", "respelled", "search_text", "within"]
