"""FAISS inner-product index over normalised vectors, with the paper store it answers from.

An index is part of a generation of the data directory (see :mod:`papergraph.atomic`)::

    index/manifest.json               the commit point; its ``parts.index`` entry: model, dimension, kind,
                                      count, versions, and the files below
    index/gen-000007/vectors.faiss    the FAISS index (IDMap2 over Flat or HNSW)
    index/gen-000007/papers.jsonl     the paper store: one line per paper (sorted by id), its faiss id and hash

:meth:`VectorIndex.save` writes the files into a generation folder that is not committed yet; the ingest job
commits the generation once every part of it (the embedded graph too) is written.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import orjson

from papergraph import __version__
from papergraph.atomic import Commit, CommitPoint, atomic_write
from papergraph.embed.encoder import Vectors
from papergraph.errors import IndexMismatchError, IndexNotFoundError
from papergraph.models import Paper

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
FILES = {"faiss": "vectors.faiss", "papers": "papers.jsonl"}


@dataclass(frozen=True)
class Hit:
    paper_id: str
    score: float


class VectorIndex:
    """Exact search (IndexFlatIP) below ``ann_threshold`` papers, HNSW at or above it; ids mapped to papers."""

    def __init__(
        self, dim: int, model_id: str, ann_threshold: int = 20_000, hnsw_m: int = 32, ef_search: int = 128
    ) -> None:
        self.dim = dim
        self.model_id = model_id
        self.ann_threshold = ann_threshold
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search
        self.generation = 0
        self._kind = "flat"
        self._hnsw: Any = None  # the HNSW view of a loaded index, kept referenced
        self.papers: dict[str, Paper] = {}
        self.hashes: dict[str, str] = {}
        self._fid: dict[str, int] = {}  # paper id -> faiss id
        self._pid: dict[int, str] = {}  # faiss id -> paper id
        self._next = 0
        self.index: faiss.IndexIDMap2 = self._new_index("flat")

    # --- structure ------------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self._kind

    def _new_index(self, kind: str) -> faiss.IndexIDMap2:
        self._kind = kind
        inner: Any
        if kind == "hnsw":
            inner = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = 200
            inner.hnsw.efSearch = self.ef_search
        else:
            inner = faiss.IndexFlatIP(self.dim)
        return faiss.IndexIDMap2(inner)

    def __len__(self) -> int:
        return len(self._fid)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._fid

    def vectors(self, paper_ids: Sequence[str]) -> Vectors:
        """Stored vectors of papers (for "more like this" and rebuilds)."""
        out = np.zeros((len(paper_ids), self.dim), dtype=np.float32)
        for row, pid in enumerate(paper_ids):
            out[row] = self.index.reconstruct(self._fid[pid])
        return out

    # --- writes ---------------------------------------------------------------------------------------
    def upsert(self, papers: Sequence[Paper], vectors: Vectors) -> None:
        """Add papers (replacing those already present) without rebuilding what is there."""
        if len(papers) != len(vectors):
            raise ValueError("one vector per paper")
        if vectors.size and vectors.shape[1] != self.dim:
            raise IndexMismatchError(f"vectors have dimension {vectors.shape[1]}, the index {self.dim}")
        self.remove([p.id for p in papers if p.id in self._fid])
        if self.kind == "flat" and len(self) + len(papers) >= self.ann_threshold:
            self._rebuild("hnsw")
        ids = np.arange(self._next, self._next + len(papers), dtype=np.int64)
        self._next += len(papers)
        for fid, paper in zip(ids.tolist(), papers, strict=True):
            self._fid[paper.id] = fid
            self._pid[fid] = paper.id
            self.papers[paper.id] = paper
            self.hashes[paper.id] = paper.content_hash
        if len(papers):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)

    def remove(self, paper_ids: Iterable[str]) -> int:
        fids = [self._fid[p] for p in paper_ids if p in self._fid]
        for fid in fids:
            pid = self._pid.pop(fid)
            del self._fid[pid], self.papers[pid], self.hashes[pid]
        if not fids:
            return 0
        if self.kind == "hnsw":  # HNSW cannot remove in place: rebuild from the papers that stay
            self._rebuild("hnsw")
        else:
            self.index.remove_ids(np.array(fids, dtype=np.int64))  # type: ignore[arg-type]  # SWIG stub too narrow
        return len(fids)

    def _rebuild(self, kind: str) -> None:
        pids = list(self._fid)
        vecs = self.vectors(pids)
        self.index = self._new_index(kind)
        if pids:
            self.index.add_with_ids(vecs, np.array([self._fid[p] for p in pids], dtype=np.int64))
        log.info("rebuilt the vector index as %s over %d papers", kind, len(pids))

    # --- search ---------------------------------------------------------------------------------------
    def search(self, query: Vectors, k: int, allowed: Collection[str] | None = None) -> list[Hit]:
        """Top ``k`` papers by inner product (cosine: vectors are normalised), optionally among ``allowed``."""
        if len(self) == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            fids = np.array([self._fid[p] for p in allowed if p in self._fid], dtype=np.int64)
            if fids.size == 0:
                return []
            selector = faiss.IDSelectorBatch(fids)
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))  # type: ignore[attr-defined]
            else:
                params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            k = min(k, int(fids.size))
        k = min(k, len(self))
        scores, ids = self.index.search(q, k, params=params)
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
            "files": dict(FILES),
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
        atomic_write(folder / FILES["faiss"], faiss.serialize_index(self.index).tobytes())
        lines = (
            orjson.dumps({"fid": self._fid[pid], "hash": self.hashes[pid], "paper": self.papers[pid].model_dump()})
            for pid in sorted(self.papers)
        )
        atomic_write(folder / FILES["papers"], b"\n".join(lines) + b"\n")
        return self.manifest()

    @staticmethod
    def stored_hashes(commit: Commit) -> dict[str, str]:
        """Content hash of every paper in a generation, by id, read from its paper store alone (no vectors)."""
        part = commit.part("index")
        if part is None:
            return {}
        out: dict[str, str] = {}
        try:
            with open(commit.folder / part["files"]["papers"], "rb") as fh:
                for line in fh:
                    if line.strip():
                        row = orjson.loads(line)
                        out[row["paper"]["id"]] = row["hash"]
        except (OSError, ValueError, KeyError) as exc:
            raise IndexNotFoundError(f"cannot read the paper store of generation {commit.generation}: {exc}") from exc
        return out

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
        if part.get("format") != FORMAT_VERSION:
            raise IndexMismatchError(f"{folder}: index format {part.get('format')}, expected {FORMAT_VERSION}")
        if model_id is not None and part["model"] != model_id:
            raise IndexMismatchError(
                f"the index in {folder.parent} was built with {part['model']!r}, the settings ask for {model_id!r}: "
                "re-run `papergraph ingest --rebuild` or point PAPERGRAPH_MODEL at the original model"
            )
        self = cls(part["dim"], part["model"], **options)
        self.generation = commit.generation
        files = part["files"]
        try:
            data = (folder / files["faiss"]).read_bytes()
            self.index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))  # type: ignore[assignment]
            self._kind = part["kind"]
            with open(folder / files["papers"], "rb") as fh:
                for line in fh:
                    if line.strip():
                        row = orjson.loads(line)
                        paper = Paper.model_validate(row["paper"])
                        self._fid[paper.id] = row["fid"]
                        self._pid[row["fid"]] = paper.id
                        self.papers[paper.id] = paper
                        self.hashes[paper.id] = row["hash"]
        except FileNotFoundError as exc:
            raise IndexNotFoundError(f"generation {commit.generation} is gone ({exc.filename})") from exc
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            raise IndexNotFoundError(f"the index in {folder} is damaged ({exc}): re-run `papergraph ingest`") from exc
        if self.index.ntotal != len(self._fid):
            raise IndexNotFoundError(f"the index in {folder} is inconsistent: re-run `papergraph ingest --rebuild`")
        if self.kind == "hnsw":
            self._hnsw = faiss.downcast_index(self.index.index)  # keep a reference: it is a view
            self._hnsw.hnsw.efSearch = self.ef_search
        self._next = max(self._pid, default=-1) + 1
        return self
