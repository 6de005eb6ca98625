"""FAISS inner-product index over normalised vectors, with the paper store it answers from.

An index is a self-describing folder (as in txtai)::

    index/manifest.json          model, dimension, kind, count, versions, how the ANN part was built and tuned
                                 (``ann``: nlist, nprobe, measured recall@10), and the current generation's files
    index/faiss-000007.index     the FAISS index (flat, hnsw, ivf-sq8 or ivf-pq: see papergraph.index.ann)
    index/refine-000007.index    ivf-pq only: the 8-bit codes its candidates are re-ranked on
    index/papers-000007.jsonl    one line per paper: the faiss id, the paper, its content hash

Saving writes a new generation's files, then replaces ``manifest.json`` atomically, then removes older
generations: a crash at any point leaves a manifest that names complete files, so the old index stays usable.
"""

from __future__ import annotations

import json
import logging
import platform
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import orjson

from papergraph import __version__
from papergraph.atomic import atomic_write
from papergraph.config import Settings, get_settings
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
    write_parts,
)
from papergraph.models import Paper

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Hit:
    paper_id: str
    score: float


class VectorIndex:
    """Exact search below ``ann_threshold`` papers, the configured approximate kind above; ids mapped to papers.

    The structures and how an approximate one is built and tuned are in :mod:`papergraph.index.ann`. Keyword
    arguments beyond the first five replace fields of :class:`~papergraph.index.ann.AnnConfig` (``kind``,
    ``nlist``, ``nprobe``, ...), whose defaults come from the process settings: ``index_options(settings)``
    gives them all.
    """

    def __init__(
        self,
        dim: int,
        model_id: str,
        ann_threshold: int = 20_000,
        hnsw_m: int = 32,
        ef_search: int = 128,
        **ann: Any,
    ) -> None:
        self.dim = dim
        self.model_id = model_id
        self.ann_threshold = ann_threshold
        self.config = replace(AnnConfig.from_settings(get_settings()), hnsw_m=hnsw_m, ef_search=ef_search, **ann)
        self.generation = 0
        self.papers: dict[str, Paper] = {}
        self.hashes: dict[str, str] = {}
        self._fid: dict[str, int] = {}  # paper id -> faiss id
        self._pid: dict[int, str] = {}  # faiss id -> paper id
        self._next = 0
        self.ann: Ann = new_ann(AnnKind.FLAT, dim, self.config)

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
            self.papers[paper.id] = paper
            self.hashes[paper.id] = paper.content_hash
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
        for fid in fids.tolist():
            pid = self._pid.pop(fid)
            del self._fid[pid], self.papers[pid], self.hashes[pid]
        if not fids.size:
            return 0
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
    def _files(self) -> dict[str, str]:
        files = {part: f"{part}-{self.generation:06d}.index" for part in part_names(self.ann.kind)}
        files["papers"] = f"papers-{self.generation:06d}.jsonl"
        return files

    def manifest(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "model": self.model_id,
            "dim": self.dim,
            "kind": self.kind,
            "count": len(self),
            "generation": self.generation,
            "ann": self.ann.meta(),
            "files": self._files(),
            "versions": {
                "papergraph": __version__,
                "faiss": faiss.__version__,
                "numpy": np.__version__,
                "python": platform.python_version(),
            },
        }

    def save(self, folder: Path) -> None:
        """Write a new generation, switch the manifest to it atomically, then drop older generations."""
        folder.mkdir(parents=True, exist_ok=True)
        self.generation += 1
        manifest = self.manifest()
        files = manifest["files"]
        write_parts(self.ann, {part: folder / files[part] for part in part_names(self.ann.kind)})
        lines = (
            orjson.dumps({"fid": self._fid[pid], "hash": self.hashes[pid], "paper": paper.model_dump()})
            for pid, paper in self.papers.items()
        )
        atomic_write(folder / files["papers"], b"\n".join(lines) + b"\n")
        atomic_write(folder / MANIFEST, json.dumps(manifest, indent=2).encode())
        current = set(files.values())
        for old in [*folder.glob("faiss-*.index"), *folder.glob("refine-*.index"), *folder.glob("papers-*.jsonl")]:
            if old.name not in current:
                old.unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: Path, model_id: str | None = None, **options: Any) -> VectorIndex:
        """The index saved in ``folder``; a different ``model_id`` than the one it was built with raises."""
        path = folder / MANIFEST
        if not path.exists():
            raise IndexNotFoundError(f"no vector index in {folder}: run `papergraph ingest` first")
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise IndexNotFoundError(f"cannot read {path}: {exc}") from exc
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexMismatchError(f"{path}: index format {manifest.get('format')}, expected {FORMAT_VERSION}")
        if model_id is not None and manifest["model"] != model_id:
            raise IndexMismatchError(
                f"the index in {folder} was built with {manifest['model']!r}, the settings ask for {model_id!r}: "
                "re-run `papergraph ingest --rebuild` or point PAPERGRAPH_MODEL at the original model"
            )
        self = cls(manifest["dim"], manifest["model"], **options)
        self.generation = manifest["generation"]
        files = manifest["files"]
        meta = manifest.get("ann") or {"kind": manifest["kind"]}  # indexes saved before the IVF kinds
        try:
            self.ann = read_parts(meta, {p: folder / files[p] for p in files if p != "papers"}, self.dim, self.config)
            with open(folder / files["papers"], "rb") as fh:
                for line in fh:
                    if line.strip():
                        row = orjson.loads(line)
                        paper = Paper.model_validate(row["paper"])
                        self._fid[paper.id] = row["fid"]
                        self._pid[row["fid"]] = paper.id
                        self.papers[paper.id] = paper
                        self.hashes[paper.id] = row["hash"]
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            raise IndexNotFoundError(f"the index in {folder} is damaged ({exc}): re-run `papergraph ingest`") from exc
        if self.ann.ntotal != len(self._fid):
            raise IndexNotFoundError(f"the index in {folder} is inconsistent: re-run `papergraph ingest --rebuild`")
        self._next = max(self._pid, default=-1) + 1
        return self


def index_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of :class:`VectorIndex` (and ``load``) from the settings."""
    return {"ann_threshold": settings.ann_threshold, **asdict(AnnConfig.from_settings(settings))}
