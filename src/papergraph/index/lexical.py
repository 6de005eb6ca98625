"""BM25 ranking over titles and abstracts (bm25s, English stopwords, Snowball stemming).

Dense vectors miss exact names researchers type ("TeLLMe", "Jetson Orin"); BM25 catches them and costs well
under a millisecond a query at this scale. Built in memory from the paper store when the service starts.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

import bm25s
import numpy as np
import Stemmer

from papergraph.index.vector_index import Hit
from papergraph.models import Paper

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class _Stemmer:
    """Snowball English, plus the plural of acronyms it keeps ("FPGAs", "GPUs", "LLMs" -> fpga, gpu, llm)."""

    def __init__(self) -> None:
        self._snowball = Stemmer.Stemmer("english")

    def stemWords(self, words: list[str]) -> list[str]:
        return [
            w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in self._snowball.stemWords(words)
        ]


class LexicalIndex:
    """BM25 over ``title + abstract`` of each paper."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.ids = [p.id for p in papers]
        self._row = {pid: i for i, pid in enumerate(self.ids)}
        self._stemmer = _Stemmer()
        self._bm25 = bm25s.BM25()
        if papers:
            tokens = bm25s.tokenize(
                [p.text for p in papers], stopwords="en", stemmer=self._stemmer, show_progress=False
            )
            self._bm25.index(tokens, show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, k: int, allowed: Collection[str] | None = None) -> list[Hit]:
        """Top ``k`` papers by BM25; papers with a zero score (no query term) are left out."""
        if not self.ids or k <= 0:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False)
        known = [t for t in tokens.vocab if t and t in self._bm25.vocab_dict]
        if not known:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            mask[[self._row[p] for p in allowed if p in self._row]] = 1.0
        scores = self._bm25.get_scores(known, weight_mask=mask)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
