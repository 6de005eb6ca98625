"""Phrases of a question matched in the papers' own text, for subjects that are no graph entity.

"Inference inside a web browser", "checkpointing of LLM training", "wake-up radio": a researcher's subject is
often a topic the extraction rules do not name. Built once per loaded corpus: every paper's title and abstract
as Snowball stems with function words left out, indexed by stem and by pair of neighbouring stems, so a phrase
is matched where its stems stand next to each other ("wake-up radios" matches "wake-up radio"; "checkpointing"
matches "checkpoints"), independently of case, hyphens and inflection. A phrase is also matched by the long
form the corpus defines for it, and the reverse ("PIM" finds "processing-in-memory" and "PIM").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

import Stemmer

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_STEMMER = Stemmer.Stemmer("english")


def stems(text: str, stopwords: Collection[str]) -> list[str]:
    """The content words of a text as stems, in order (hyphenated words split, possessives dropped)."""
    words = [w.casefold().split("'")[0].split("’")[0] for w in _WORD.findall(text)]
    stemmed: list[str] = _STEMMER.stemWords([w for w in words if w and w not in stopwords])
    return stemmed


@dataclass
class TextIndex:
    """Stems and neighbouring-stem pairs -> the papers whose title or abstract has them."""

    stopwords: frozenset[str]
    single: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pairs: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    abbreviations: Mapping[str, str] = field(default_factory=dict)
    size: int = 0

    @classmethod
    def build(
        cls, papers: Iterable[tuple[str, str]], stopwords: Collection[str], abbreviations: Mapping[str, str]
    ) -> TextIndex:
        """From (paper id, title and abstract) pairs."""
        index = cls(frozenset(stopwords), abbreviations=abbreviations)
        for pid, text in papers:
            seq = stems(text, index.stopwords)
            for s in seq:
                index.single[s].add(pid)
            for a, b in pairwise(seq):
                index.pairs[(a, b)].add(pid)
            index.size += 1
        return index

    def papers(self, phrase: str) -> set[str]:
        """Papers whose text has the phrase (its stems side by side), or the long form of an acronym in it."""
        found = self._exact(stems(phrase, self.stopwords))
        for word in phrase.split():
            long_form = self.abbreviations.get(word) or self.abbreviations.get(word.rstrip("s"))
            if long_form:
                found |= self._exact(stems(phrase.replace(word, long_form), self.stopwords))
        return found

    def _exact(self, seq: list[str]) -> set[str]:
        if not seq:
            return set()
        if len(seq) == 1:
            return set(self.single.get(seq[0], ()))
        out: set[str] | None = None
        for pair in pairwise(seq):
            hits = self.pairs.get(pair, set())
            out = set(hits) if out is None else out & hits
            if not out:
                return set()
        return out or set()

    def rarity(self, phrase: str) -> float:
        """The share of papers with the phrase; -1 when no paper has it."""
        found = len(self.papers(phrase))
        return found / self.size if found else -1.0


__all__ = ["TextIndex", "stems"]
