"""BM25 ranking over titles and abstracts (bm25s, English stopwords, Snowball stemming).

Dense vectors miss exact names researchers type ("TeLLMe", "Jetson Orin"); BM25 catches them. Each generation of the
data directory holds its BM25 index (``<generation>/bm25/``: bm25s' sparse score matrix, vocabulary and the paper
ids of its rows), built by the ingest that wrote the generation and memory-mapped when a server loads it: at a
million papers it opens in a third of a second and keeps ~0.15 GB resident, where building it took minutes.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt
import Stemmer
from bm25s.tokenization import Tokenizer

from papergraph.atomic import link_or_copy
from papergraph.index.vector_index import Hit
from papergraph.models import Paper

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

FOLDER = "bm25"
IDS = "ids.npy"
FORMAT_VERSION = 1
_TOKENIZE_BATCH = 10_000


class _Stemmer:
    """Snowball English, plus the plural of acronyms it keeps ("FPGAs", "GPUs", "LLMs" -> fpga, gpu, llm)."""

    def __init__(self) -> None:
        self._snowball = Stemmer.Stemmer("english")

    def stemWords(self, words: list[str]) -> list[str]:
        return [
            w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in self._snowball.stemWords(words)
        ]

    def stem(self, word: str) -> str:
        return self.stemWords([word])[0]


class LexicalIndex:
    """BM25 over ``title + abstract`` of each paper; rows in paper-id order."""

    def __init__(self, papers: Iterable[Paper] = ()) -> None:
        self._stemmer = _Stemmer()
        self._bm25 = bm25s.BM25()
        self.ids: npt.NDArray[np.bytes_] = np.array([], dtype="S1")
        self._index(sorted(papers, key=lambda p: p.id))

    @classmethod
    def build(cls, papers: Iterable[Paper]) -> LexicalIndex:
        """BM25 over ``papers`` given in id order (a stream: texts are tokenised a batch at a time)."""
        self = cls()
        self._index(papers)
        return self

    def _index(self, papers: Iterable[Paper]) -> None:
        tokenizer = Tokenizer(stopwords="en", stemmer=self._stemmer.stem)
        ids: list[bytes] = []
        rows: list[list[int]] = []
        texts: list[str] = []
        for paper in papers:
            ids.append(paper.id.encode())
            texts.append(paper.text)
            if len(texts) == _TOKENIZE_BATCH:
                rows += tokenizer.tokenize(texts, update_vocab=True, show_progress=False, return_as="ids")
                texts = []
        if texts:
            rows += tokenizer.tokenize(texts, update_vocab=True, show_progress=False, return_as="ids")
        self.ids = np.array(ids, dtype=f"S{max((len(i) for i in ids), default=1)}")
        if rows:
            self._bm25.index((rows, tokenizer.get_vocab_dict()), show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    # --- persistence ----------------------------------------------------------------------------------
    def save(self, folder: Path) -> dict[str, Any]:
        """Write ``folder/bm25/`` (part of a generation not yet committed); the manifest's ``bm25`` part."""
        target = folder / FOLDER
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        if len(self):
            self._bm25.save(str(target))
        np.save(target / IDS, self.ids)
        files = sorted(p.name for p in target.iterdir())
        return {"format": FORMAT_VERSION, "folder": FOLDER, "count": len(self), "files": files}

    @staticmethod
    def link(previous: Path, folder: Path, part: dict[str, Any]) -> None:
        """Share an unchanged BM25 index with the next generation (hard links)."""
        (folder / FOLDER).mkdir(parents=True, exist_ok=True)
        for name in part["files"]:
            link_or_copy(previous / FOLDER / name, folder / FOLDER / name)

    @classmethod
    def load(cls, folder: Path, part: dict[str, Any]) -> LexicalIndex:
        """The BM25 index of a committed generation, memory-mapped."""
        self = cls()
        target = folder / part.get("folder", FOLDER)
        self.ids = np.load(target / IDS, mmap_mode="r")
        if len(self.ids):
            self._bm25 = bm25s.BM25.load(str(target), mmap=True)
        return self

    # --- search ---------------------------------------------------------------------------------------
    def _rows(self, paper_ids: Collection[str]) -> npt.NDArray[np.intp]:
        """Rows of the stored ``paper_ids`` (ids are sorted: a binary search each, no map kept in memory)."""
        width = self.ids.dtype.itemsize
        wanted = np.array([e for p in paper_ids if len(e := p.encode()) <= width], dtype=self.ids.dtype)
        rows = np.searchsorted(self.ids, wanted)
        inside = rows < len(self.ids)
        rows, wanted = rows[inside], wanted[inside]
        found: npt.NDArray[np.intp] = rows[self.ids[rows] == wanted]
        return found

    def search(self, query: str, k: int, allowed: Collection[str] | None = None) -> list[Hit]:
        """Top ``k`` papers by BM25; papers with a zero score (no query term) are left out."""
        if not len(self.ids) or k <= 0:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False)
        known = [t for t in tokens.vocab if t and t in self._bm25.vocab_dict]
        if not known:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            mask[self._rows(allowed)] = 1.0
        scores = self._bm25.get_scores(known, weight_mask=mask)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(self.ids[i].decode(), float(scores[i])) for i in top if scores[i] > 0]
