"""FAISS inner-product index over normalised vectors, with the paper store it answers from.

An index is part of a generation of the data directory (see :mod:`papergraph.atomic`)::

    index/manifest.json               the commit point; its ``parts.index`` entry: model, dimension, kind,
                                      count, versions, how the ANN part was built and tuned (``ann``: nlist,
                                      nprobe, measured recall@10), and the files below
    index/gen-000007/vectors.faiss    the FAISS index (flat, hnsw, ivf-sq8 or ivf-pq: see papergraph.index.ann)
    index/gen-000007/refine.faiss     ivf-pq only: the 8-bit codes its candidates are re-ranked on
    index/gen-000007/papers.sqlite    the paper store (papergraph.index.paper_store): each paper, its faiss id,
                                      content hash and title key; read when asked for, never all in memory

:meth:`VectorIndex.save` writes the files into a generation folder that is not committed yet; the ingest job
commits the generation once every part of it (the embedded graph too) is written. An ingest first moves the
paper store into that folder (:meth:`VectorIndex.attach`) and writes it batch by batch as papers arrive.
"""

from __future__ import annotations

import logging
import platform
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from papergraph import __version__
from papergraph.atomic import Commit, CommitPoint, atomic_write
from papergraph.config import Settings
from papergraph.embed.encoder import Vectors
from papergraph.errors import IndexMismatchError, IndexNotFoundError
from papergraph.index.ann import (
    MIN_IVF,
    Ann,
    AnnConfig,
    AnnKind,
    AnnSource,
    IvfAnn,
    build_ann,
    new_ann,
    part_names,
    read_parts,
)
from papergraph.index.paper_store import PaperStore, PaperView
from papergraph.models import Paper

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
"""2: the paper store is SQLite (``papers.sqlite``); format 1 (``papers.jsonl``) is still read, and rewritten as 2
by the next ingest."""
FILES = {"faiss": "vectors.faiss", "refine": "refine.faiss", "papers": "papers.sqlite"}


@dataclass(frozen=True)
class Hit:
    paper_id: str
    score: float


class VectorIndex:
    """Exact search below ``ann_threshold`` papers, the configured approximate kind above; ids mapped to papers.

    The structures and how an approximate one is built and tuned are in :mod:`papergraph.index.ann`. Keyword
    arguments beyond ``ann_threshold`` are fields of :class:`~papergraph.index.ann.AnnConfig` (``kind``,
    ``nlist``, ``nprobe``, ``hnsw_m``, ...; its defaults where left out): the caller passes what its settings say,
    ``index_options(settings)`` gives them all.
    """

    def __init__(self, dim: int, model_id: str, ann_threshold: int = 20_000, **ann: Any) -> None:
        self.dim = dim
        self.model_id = model_id
        self.ann_threshold = ann_threshold
        self.config = AnnConfig(**ann)
        self.generation = 0
        self.store = PaperStore.memory()
        self._fid: dict[str, int] = {}  # paper id -> faiss id
        self._pid: dict[int, str] = {}  # faiss id -> paper id
        self._next = 0
        self.ann: Ann = new_ann(AnnKind.FLAT, dim, self.config)
        self.papers = PaperView(self._fid, self.store)
        """The stored papers by id (read from the paper store when asked for)."""

    def attach(self, folder: Path) -> None:
        """Write the paper store from now on into ``folder`` (a generation being written): a copy of it, there."""
        self.store = self.store.draft(folder / FILES["papers"])
        self.papers = PaperView(self._fid, self.store)

    # --- structure ------------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.ann.kind.value

    def __len__(self) -> int:
        return len(self._fid)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._fid

    def _fids(self, paper_ids: Iterable[str]) -> npt.NDArray[np.int64]:
        return np.array([self._fid[p] for p in paper_ids if p in self._fid], dtype=np.int64)

    def content_hashes(self) -> dict[str, str]:
        """Content hash of every stored paper, by id (reads the whole paper store: for checks, not for serving)."""
        return dict(self.store.hashes())

    def vectors(self, paper_ids: Sequence[str]) -> Vectors:
        """Stored vectors of papers (for "more like this"; 8-bit decoded for the IVF kinds)."""
        return self.ann.reconstruct(np.array([self._fid[p] for p in paper_ids], dtype=np.int64))

    # --- writes ---------------------------------------------------------------------------------------
    def upsert(self, papers: Sequence[Paper], vectors: Vectors) -> None:
        """Add papers (replacing those already present) without rebuilding what is there."""
        if len(papers) != len(vectors):
            raise ValueError("one vector per paper")
        if vectors.size and vectors.shape[1] != self.dim:
            raise IndexMismatchError(f"vectors have dimension {vectors.shape[1]}, the index {self.dim}")
        self.remove([p.id for p in papers if p.id in self._fid])
        ids = np.arange(self._next, self._next + len(papers), dtype=np.int64)
        self._next += len(papers)
        for fid, paper in zip(ids.tolist(), papers, strict=True):
            self._fid[paper.id] = fid
            self._pid[fid] = paper.id
        self.store.put(zip(papers, ids.tolist(), strict=True))
        self.ann.add(ids, np.ascontiguousarray(vectors, dtype=np.float32))
        self._grow()

    def _grow(self) -> None:
        """Switch to the approximate kind at the threshold; retrain an IVF index that outgrew its training."""
        trainable = self.config.kind in (AnnKind.IVF_SQ8, AnnKind.IVF_PQ)
        if self.kind == AnnKind.FLAT and len(self) >= max(self.ann_threshold, MIN_IVF if trainable else 0):
            self._rebuild(self.config.kind)
        elif isinstance(self.ann, IvfAnn):
            trained_on = int(self.ann.info.get("trained_on", 0))
            if len(self) >= self.config.retrain_growth * max(trained_on, 1):
                self._rebuild(self.ann.kind)

    def remove(self, paper_ids: Iterable[str]) -> int:
        fids = self._fids(paper_ids)
        removed = []
        for fid in fids.tolist():
            pid = self._pid.pop(fid)
            del self._fid[pid]
            removed.append(pid)
        if not fids.size:
            return 0
        self.store.delete(removed)
        if self.ann.removes_in_place:
            self.ann.remove(fids)
        else:  # HNSW cannot remove in place: rebuild from the papers that stay
            self._rebuild(self.ann.kind)
        return int(fids.size)

    def _rebuild(self, kind: AnnKind) -> None:
        kept = np.array(sorted(self._pid), dtype=np.int64)  # removed ids may still be in the old structure
        self.ann = build_ann(kind, self.dim, self.config, AnnSource(self.ann, kept))
        log.info("rebuilt the vector index as %s over %d papers", self.kind, len(self))

    # --- search ---------------------------------------------------------------------------------------
    def search(self, query: Vectors, k: int, allowed: Collection[str] | None = None) -> list[Hit]:
        """Top ``k`` papers by inner product (cosine: vectors are normalised), optionally among ``allowed``."""
        if len(self) == 0 or k <= 0:
            return []
        selected = None
        if allowed is not None:
            selected = self._fids(allowed)
            if selected.size == 0:
                return []
            k = min(k, int(selected.size))
        k = min(k, len(self))
        scores, ids = self.ann.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k, selected)
        return [Hit(self._pid[int(i)], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]

    # --- persistence ----------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """What the commit manifest records about this index (its ``parts.index`` entry)."""
        return {
            "format": FORMAT_VERSION,
            "model": self.model_id,
            "dim": self.dim,
            "kind": self.kind,
            "count": len(self),
            "ann": self.ann.meta(),
            "files": {part: FILES[part] for part in (*part_names(self.ann.kind), "papers")},
            "versions": {
                "papergraph": __version__,
                "faiss": faiss.__version__,
                "numpy": np.__version__,
                "python": platform.python_version(),
            },
        }

    def save(self, folder: Path) -> dict[str, Any]:
        """Write the index into a (not yet committed) generation folder; returns its manifest entry."""
        folder.mkdir(parents=True, exist_ok=True)
        for part, index in self.ann.parts().items():
            atomic_write(folder / FILES[part], faiss.serialize_index(index).tobytes())
        self.store.save(folder)
        return self.manifest()

    @staticmethod
    def stored_hashes(commit: Commit) -> dict[str, str]:
        """Content hash of every paper in a generation, by id, read from its paper store alone (no vectors)."""
        part = commit.part("index")
        if part is None:
            return {}
        try:
            store = _open_store(commit.folder / part["files"]["papers"])
            try:
                return dict(store.hashes())
            finally:
                store.close()
        except (OSError, ValueError, KeyError, sqlite3.Error) as exc:
            raise IndexNotFoundError(f"cannot read the paper store of generation {commit.generation}: {exc}") from exc

    @classmethod
    def load(cls, root: Path, model_id: str | None = None, **options: Any) -> VectorIndex:
        """The index of the current generation under ``root`` (``<data>/index``)."""
        return cls.load_commit(CommitPoint(root).require(), model_id, **options)

    @classmethod
    def load_commit(cls, commit: Commit, model_id: str | None = None, **options: Any) -> VectorIndex:
        """The index of one committed generation; a different ``model_id`` than it was built with raises."""
        folder = commit.folder
        part = commit.part("index")
        if part is None:
            raise IndexNotFoundError(f"generation {commit.generation} in {folder.parent} has no vector index")
        if part.get("format") not in (1, FORMAT_VERSION):
            raise IndexMismatchError(f"{folder}: index format {part.get('format')}, expected {FORMAT_VERSION}")
        if model_id is not None and part["model"] != model_id:
            raise IndexMismatchError(
                f"the index in {folder.parent} was built with {part['model']!r}, the settings ask for {model_id!r}: "
                "re-run `papergraph ingest --rebuild` or point PAPERGRAPH_MODEL at the original model"
            )
        self = cls(part["dim"], part["model"], **options)
        self.generation = commit.generation
        files = part["files"]
        meta = part.get("ann") or {"kind": part["kind"]}  # indexes saved before the IVF kinds
        try:
            self.ann = read_parts(
                meta, {p: folder / f for p, f in files.items() if p != "papers"}, self.dim, self.config
            )
            self.store = _open_store(folder / files["papers"])
            for pid, fid in self.store.fids():
                self._fid[pid] = fid
                self._pid[fid] = pid
            self.papers = PaperView(self._fid, self.store)
        except FileNotFoundError as exc:
            raise IndexNotFoundError(f"generation {commit.generation} is gone ({exc.filename})") from exc
        except (OSError, RuntimeError, ValueError, KeyError, sqlite3.Error) as exc:
            raise IndexNotFoundError(f"the index in {folder} is damaged ({exc}): re-run `papergraph ingest`") from exc
        if self.ann.ntotal != len(self._fid):
            raise IndexNotFoundError(f"the index in {folder} is inconsistent: re-run `papergraph ingest --rebuild`")
        self._next = max(self._pid, default=-1) + 1
        return self


def _open_store(path: Path) -> PaperStore:
    """A committed paper store: SQLite, or the JSON lines of the first layout."""
    return PaperStore.from_jsonl(path) if path.suffix == ".jsonl" else PaperStore.frozen(path)


def index_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of :class:`VectorIndex` (and ``load``) from the settings."""
    return {"ann_threshold": settings.ann_threshold, **asdict(AnnConfig.from_settings(settings))}
