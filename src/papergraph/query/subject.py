"""A list or count question's subject as several joined phrases ("neuromorphic or spiking hardware — brain-inspired
computing like Loihi-style chips or SNNs", "carbon or environmental footprint (CO2 emissions, life-cycle impact)").

The question's parts that may name its subject (entity references and runs of content words) are grouped into
clusters: two neighbouring parts belong to one cluster when only words of alternatives stand between them ("or",
"and/or", "/", commas, "e.g.", "such as", "like", "-style"), or when the later one is inside a parenthesis right
after the earlier (examples widen the subject, never narrow it). The subject is the cluster with the most parts
that are specific enough to select papers; a paper that has any of its parts answers (OR).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_JOINER = re.compile(
    r"(?:[\s,;:/()\-–—.…]|\b(?:or|and/or|and|e\.?g|i\.?e|eg|such as|like|including|for example|for instance|"
    r"etc|style|either)\b)*",
    re.IGNORECASE,
)
_PARENTHESIS = re.compile(r"\([^()]*\)")
_EXAMPLE = re.compile(r"\b(e\.?g\b|such as|like|including|for example|for instance)", re.IGNORECASE)
LINKING_WORDS = frozenset({"style", "like", "esque"})  # "Loihi-style chips", "TPU-like": never a subject's word


@dataclass(frozen=True)
class Part:
    """One part of a question that may name its subject: a text phrase or an entity reference (``ref``: its
    index among the references). ``specific``: it selects few enough papers to stand for the subject."""

    start: int
    end: int
    words: str
    specific: bool
    ref: int | None = None


def clusters(text: str, parts: Sequence[Part]) -> list[list[Part]]:
    """The parts in question order, grouped where they are written as alternatives or examples."""
    inside = [m.span() for m in _PARENTHESIS.finditer(text)]
    out: list[list[Part]] = []
    for part in sorted(parts, key=lambda p: p.start):
        if out and _joined(text, out[-1][-1], part, inside):
            out[-1].append(part)
        else:
            out.append([part])
    return out


def subject(text: str, parts: Sequence[Part]) -> list[Part] | None:
    """The cluster read as the subject: the one with the most specific parts, at least two of them (one of them a
    text phrase); None when no cluster joins several."""
    best: list[Part] | None = None
    for cluster in clusters(text, parts):
        specific = [p for p in cluster if p.specific]
        if len(specific) < 2 or all(p.ref is not None for p in specific):
            continue
        if best is None or len(specific) > len(best):
            best = specific
    return best


def example(text: str, cluster: Sequence[Part], part: Part) -> bool:
    """Whether a part of a subject is written as an example of it: in a parenthesis, or after an example word
    ("e.g.", "such as", "like", "including") that follows the subject's first part."""
    inside = any(a < part.start and part.end <= b for a, b in (m.span() for m in _PARENTHESIS.finditer(text)))
    return inside or (part is not cluster[0] and _EXAMPLE.search(text, cluster[0].end, part.start) is not None)


def _joined(text: str, a: Part, b: Part, inside: Sequence[tuple[int, int]]) -> bool:
    if b.start < a.end:
        return True
    for start, end in inside:
        if start < b.start < end and a.start < end:  # b is an example in a parenthesis after a, or beside a in it
            return True
    gap = text[a.end : b.start]
    return bool(gap.strip(" -")) and _JOINER.fullmatch(gap) is not None  # "prune weights": a verb and its object


__all__ = ["LINKING_WORDS", "Part", "clusters", "example", "subject"]
