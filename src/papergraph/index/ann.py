"""Nearest-neighbour structures behind :class:`~papergraph.index.VectorIndex`, chosen by the size of the corpus.

Every kind stores normalised vectors under int64 ids the caller gives, and ranks by inner product (cosine):

=========  =================================================  =====================  ==============================
kind       structure                                          bytes per 384-d vector  search
=========  =================================================  =====================  ==============================
flat       ``IndexFlatIP``                                    1,536                  exact
hnsw       HNSW over full vectors                             ~1,800                 graph walk; removal rebuilds
ivf-sq8    inverted lists of 8-bit scalar-quantised vectors   ~400                   ``nprobe`` lists, 8-bit codes
ivf-pq     inverted lists of ``pq_m``-byte PQ codes, plus     ~450                   ``nprobe`` lists on PQ codes;
           8-bit codes of every vector for re-ranking                                the best ``k * refine_factor``
                                                                                     re-scored on the 8-bit codes
                                                                                     (both tuned)
=========  =================================================  =====================  ==============================

The IVF kinds are trained on a sample when built (about 40 vectors per list), then tuned: ``nprobe`` (and for ivf-pq
the re-ranking depth) is the cheapest setting whose recall@10 against exact search, on stored vectors held out of the
training sample (their own id left out of both rankings), reaches the target. What was chosen and the recall measured
go to the index manifest (:meth:`Ann.meta`). A filtered search over few allowed ids is exact (the allowed vectors are
scored one by one), so a selective graph filter never loses papers to the approximation.
"""

from __future__ import annotations

import errno
import logging
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol

import faiss
import numpy as np
import numpy.typing as npt

from papergraph.config import Settings
from papergraph.embed.encoder import Vectors
from papergraph.errors import IndexMismatchError

log = logging.getLogger(__name__)

Ids = npt.NDArray[np.int64]

RECALL_K = 10  # the recall the IVF kinds are tuned for: recall@10
TRAIN_PER_LIST = 40  # training vectors per inverted list (faiss asks for at least 39)
MIN_IVF = 1000  # fewer vectors than this stay exact whatever the kind asked for
CHUNK = 65_536  # vectors handled at once when adding, rebuilding or computing exact neighbours
_NPROBE_STEPS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048)


class AnnKind(StrEnum):
    """How the vectors are searched (see the module docstring)."""

    FLAT = "flat"
    HNSW = "hnsw"
    IVF_SQ8 = "ivf-sq8"
    IVF_PQ = "ivf-pq"


@dataclass(frozen=True)
class AnnConfig:
    """The knobs of the vector index (fields documented on :class:`~papergraph.config.Settings`)."""

    kind: AnnKind = AnnKind.IVF_SQ8
    nlist: int = 0
    nprobe: int = 0
    pq_m: int = 48
    refine_factor: int = 8
    target_recall: float = 0.95
    tune_queries: int = 200
    retrain_growth: float = 4.0
    exact_filter_max: int = 20_000
    hnsw_m: int = 32
    ef_search: int = 128
    seed: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> AnnConfig:
        return cls(
            kind=AnnKind(settings.ann_kind),
            nlist=settings.ivf_nlist,
            nprobe=settings.ivf_nprobe,
            pq_m=settings.pq_m,
            refine_factor=settings.refine_factor,
            target_recall=settings.ann_target_recall,
            tune_queries=settings.ann_tune_queries,
            retrain_growth=settings.ann_retrain_growth,
            exact_filter_max=settings.exact_filter_max,
            hnsw_m=settings.hnsw_m,
            ef_search=settings.hnsw_ef_search,
        )


def auto_nlist(n: int) -> int:
    """About 2 * sqrt(n) inverted lists, a power of two, and never fewer than 40 vectors per list."""
    target = max(1.0, 2.0 * math.sqrt(n))
    nlist = 2 ** round(math.log2(target))
    return int(max(1, min(nlist, n // TRAIN_PER_LIST)))


def pq_subquantizers(dim: int, wanted: int) -> int:
    """The largest number of PQ sub-quantizers at most ``wanted`` that divides ``dim``."""
    return max(m for m in range(1, max(1, min(wanted, dim)) + 1) if dim % m == 0)


# --------------------------------------------------------------------------------------------------
# Where vectors come from when an index is built
# --------------------------------------------------------------------------------------------------


class VectorSource(Protocol):
    """Vectors to build from: random access to a few rows, and a pass over all of them in chunks."""

    def __len__(self) -> int: ...
    def ids(self) -> Ids: ...
    def rows(self, positions: npt.NDArray[np.int64]) -> Vectors: ...
    def chunks(self, size: int = CHUNK) -> Iterator[tuple[Ids, Vectors]]: ...


@dataclass
class ArraySource:
    """Vectors held in memory (or a numpy memmap), with their ids."""

    id_array: Ids
    vectors: Vectors

    def __len__(self) -> int:
        return len(self.id_array)

    def ids(self) -> Ids:
        return self.id_array

    def rows(self, positions: npt.NDArray[np.int64]) -> Vectors:
        return np.ascontiguousarray(self.vectors[positions], dtype=np.float32)

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[Ids, Vectors]]:
        for lo in range(0, len(self.id_array), size):
            yield self.id_array[lo : lo + size], np.ascontiguousarray(self.vectors[lo : lo + size], dtype=np.float32)


@dataclass
class AnnSource:
    """The vectors already in an index (decoded from its codes: exact for flat and hnsw, 8-bit for IVF)."""

    ann: Ann
    id_array: Ids

    def __len__(self) -> int:
        return len(self.id_array)

    def ids(self) -> Ids:
        return self.id_array

    def rows(self, positions: npt.NDArray[np.int64]) -> Vectors:
        return self.ann.reconstruct(self.id_array[positions])

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[Ids, Vectors]]:
        for lo in range(0, len(self.id_array), size):
            ids = self.id_array[lo : lo + size]
            yield ids, self.ann.reconstruct(ids)


# --------------------------------------------------------------------------------------------------
# The index kinds
# --------------------------------------------------------------------------------------------------


class Ann(ABC):
    """One vector structure; ``search`` returns (scores, ids) rows, -1 ids where fewer than ``k`` exist."""

    kind: ClassVar[AnnKind]
    removes_in_place: ClassVar[bool] = True

    def __init__(self, dim: int, config: AnnConfig) -> None:
        self.dim = dim
        self.config = config
        self.info: dict[str, Any] = {}  # how it was built and tuned, for the manifest

    @property
    @abstractmethod
    def ntotal(self) -> int: ...

    @abstractmethod
    def add(self, ids: Ids, vectors: Vectors) -> None: ...

    @abstractmethod
    def remove(self, ids: Ids) -> None: ...

    @abstractmethod
    def reconstruct(self, ids: Ids) -> Vectors:
        """The stored (possibly quantised) vectors of ``ids``, shape (len(ids), dim)."""

    @abstractmethod
    def parts(self) -> dict[str, Any]:
        """The faiss indexes to save, by part name (``faiss``, and ``refine`` for ivf-pq)."""

    @abstractmethod
    def _search(self, queries: Vectors, k: int, allowed: Ids | None) -> tuple[Vectors, Ids]: ...

    def search(self, queries: Vectors, k: int, allowed: Ids | None = None) -> tuple[Vectors, Ids]:
        """Top ``k`` by inner product for each query row, optionally among the ``allowed`` ids only."""
        queries = np.ascontiguousarray(queries.reshape(-1, self.dim), dtype=np.float32)
        if allowed is not None and self.kind is not AnnKind.FLAT and allowed.size <= self.config.exact_filter_max:
            return self._search_subset(queries, k, allowed)
        return self._search(queries, k, allowed)

    def _search_subset(self, queries: Vectors, k: int, allowed: Ids) -> tuple[Vectors, Ids]:
        """Exact ranking of the allowed vectors (as stored), for filters that leave few candidates."""
        vectors = self.reconstruct(allowed)
        scores = queries @ vectors.T
        return _top_k(scores, np.broadcast_to(allowed, scores.shape), k)

    def meta(self) -> dict[str, Any]:
        return {"kind": self.kind.value, **self.info}


class FlatAnn(Ann):
    kind = AnnKind.FLAT

    def __init__(self, dim: int, config: AnnConfig, index: Any = None) -> None:
        super().__init__(dim, config)
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: Ids, vectors: Vectors) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)

    def remove(self, ids: Ids) -> None:
        if len(ids):
            self.index.remove_ids(faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64)))

    def reconstruct(self, ids: Ids) -> Vectors:
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.index.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64)), dtype=np.float32)

    def parts(self) -> dict[str, Any]:
        return {"faiss": self.index}

    def _params(self, selector: Any) -> Any:
        return faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]

    def _search(self, queries: Vectors, k: int, allowed: Ids | None) -> tuple[Vectors, Ids]:
        params = None
        if allowed is not None:
            params = self._params(faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64)))
        scores, ids = self.index.search(queries, k, params=params)
        return scores, ids


class HnswAnn(FlatAnn):
    """HNSW over full vectors: fast, but about 1.8 kB a vector, slow to build, and rebuilt on removal."""

    kind = AnnKind.HNSW
    removes_in_place = False

    def __init__(self, dim: int, config: AnnConfig, index: Any = None) -> None:
        if index is None:
            inner = faiss.IndexHNSWFlat(dim, config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = 200
            index = faiss.IndexIDMap2(inner)
        super().__init__(dim, config, index)
        self.info = {"hnsw_m": config.hnsw_m, "ef_search": config.ef_search}

    def _search(self, queries: Vectors, k: int, allowed: Ids | None) -> tuple[Vectors, Ids]:
        sel = None if allowed is None else faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(self.config.ef_search, k))  # type: ignore[attr-defined]
        scores, ids = self.index.search(queries, k, params=params)
        return scores, ids


class IvfAnn(Ann):
    """Inverted lists over 8-bit scalar codes (ivf-sq8) or PQ codes re-ranked on 8-bit codes (ivf-pq)."""

    def __init__(self, dim: int, config: AnnConfig, ivf: Any, refine: Any = None, nprobe: int = 1) -> None:
        super().__init__(dim, config)
        self.ivf = ivf
        self.refine = refine
        self.nprobe = nprobe
        self.refine_factor = config.refine_factor  # ivf-pq: tuned with nprobe

    @classmethod
    def create(cls, kind: AnnKind, dim: int, config: AnnConfig, nlist: int) -> IvfAnn:
        ann_class = IvfPqAnn if kind is AnnKind.IVF_PQ else IvfSq8Ann
        return ann_class(dim, config, ann_class.new_ivf(dim, config, nlist), ann_class.new_refine(dim))

    @staticmethod
    @abstractmethod
    def new_ivf(dim: int, config: AnnConfig, nlist: int) -> Any: ...

    @staticmethod
    def new_refine(dim: int) -> Any:
        return None

    @property
    def nlist(self) -> int:
        return int(self.ivf.nlist)

    @property
    def ntotal(self) -> int:
        return int(self.ivf.ntotal)

    def train(self, sample: Vectors) -> None:
        self.ivf.train(sample)
        if self.refine is not None:
            self.refine.train(sample)

    def add(self, ids: Ids, vectors: Vectors) -> None:
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self.ivf.add_with_ids(vectors, ids)
            if self.refine is not None:
                self.refine.add_with_ids(vectors, ids)

    def parts(self) -> dict[str, Any]:
        return {"faiss": self.ivf} if self.refine is None else {"faiss": self.ivf, "refine": self.refine}

    def _params(self, k: int, allowed: Ids | None, nprobe: int | None) -> Any:
        nprobe = nprobe or self.nprobe
        sel = None
        if allowed is not None:  # a wide filter: probe more lists so as many allowed vectors are reached
            sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            nprobe = math.ceil(nprobe * self.ntotal / max(1, allowed.size))
        return faiss.SearchParametersIVF(nprobe=min(self.nlist, max(1, nprobe)), sel=sel)  # type: ignore[call-arg]

    def _search(self, queries: Vectors, k: int, allowed: Ids | None, nprobe: int | None = None) -> tuple[Vectors, Ids]:
        scores, ids = self.ivf.search(queries, k, params=self._params(k, allowed, nprobe))
        return scores, ids

    def search_with(self, queries: Vectors, k: int, nprobe: int, refine_factor: int) -> tuple[Vectors, Ids]:
        """Search with a given ``nprobe`` (and ivf-pq's re-ranking depth), for tuning."""
        kept, self.refine_factor = self.refine_factor, refine_factor
        try:
            return self._search(np.ascontiguousarray(queries, dtype=np.float32), k, None, nprobe)
        finally:
            self.refine_factor = kept

    def scan_cost(self, nprobe: int, refine_factor: int) -> float:
        """Bytes a search reads, roughly: the codes of the probed lists, plus the re-ranked 8-bit vectors."""
        code_bytes = int(self.ivf.pq.M) if isinstance(self, IvfPqAnn) else self.dim
        rerank = 8 * RECALL_K * refine_factor * self.dim if isinstance(self, IvfPqAnn) else 0
        return nprobe * self.ntotal / max(1, self.nlist) * code_bytes + rerank


class IvfSq8Ann(IvfAnn):
    kind = AnnKind.IVF_SQ8

    @staticmethod
    def new_ivf(dim: int, config: AnnConfig, nlist: int) -> Any:
        ivf: Any = faiss.index_factory(dim, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # reconstruct and remove by id
        return ivf

    def remove(self, ids: Ids) -> None:
        if len(ids):
            ids = np.ascontiguousarray(ids, dtype=np.int64)
            self.ivf.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))  # the hashtable needs an array

    def reconstruct(self, ids: Ids) -> Vectors:
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.ivf.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64)), dtype=np.float32)


class IvfPqAnn(IvfAnn):
    kind = AnnKind.IVF_PQ

    @staticmethod
    def new_ivf(dim: int, config: AnnConfig, nlist: int) -> Any:
        m = pq_subquantizers(dim, config.pq_m)
        ivf: Any = faiss.index_factory(dim, f"IVF{nlist},PQ{m}", faiss.METRIC_INNER_PRODUCT)
        ivf.do_polysemous_training = False  # the factory turns it on; it costs minutes and buys nothing here
        ivf.pq.cp.min_points_per_centroid = 1  # small training sets are fine: the re-ranking corrects PQ
        return ivf

    @staticmethod
    def new_refine(dim: int) -> Any:
        return faiss.index_factory(dim, "IDMap2,SQ8", faiss.METRIC_INNER_PRODUCT)

    def remove(self, ids: Ids) -> None:
        if len(ids):
            ids = np.ascontiguousarray(ids, dtype=np.int64)
            self.ivf.remove_ids(faiss.IDSelectorBatch(ids))
            self.refine.remove_ids(faiss.IDSelectorBatch(ids))

    def reconstruct(self, ids: Ids) -> Vectors:
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.refine.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64)), dtype=np.float32)

    def _search(self, queries: Vectors, k: int, allowed: Ids | None, nprobe: int | None = None) -> tuple[Vectors, Ids]:
        """PQ ranking of the probed lists, then the best ``k * refine_factor`` re-scored on their 8-bit codes."""
        wide = k * max(1, self.refine_factor)
        _, candidates = self.ivf.search(queries, wide, params=self._params(wide, allowed, nprobe))
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_ids = np.full((len(queries), k), -1, dtype=np.int64)
        for row, found in enumerate(candidates):
            found = found[found >= 0]
            if found.size:
                scores = self.reconstruct(found) @ queries[row]
                top_scores, top_ids = _top_k(scores[None, :], found[None, :], k)
                out_scores[row], out_ids[row] = top_scores[0], top_ids[0]
        return out_scores, out_ids


_CLASSES: dict[AnnKind, type[Ann]] = {
    AnnKind.FLAT: FlatAnn,
    AnnKind.HNSW: HnswAnn,
    AnnKind.IVF_SQ8: IvfSq8Ann,
    AnnKind.IVF_PQ: IvfPqAnn,
}


def _top_k(scores: npt.NDArray[np.float32], ids: npt.NDArray[np.int64], k: int) -> tuple[Vectors, Ids]:
    """Rows of the ``k`` best (score, id) pairs, best first, padded with -1 ids."""
    n = scores.shape[1]
    out_scores = np.full((scores.shape[0], k), -np.inf, dtype=np.float32)
    out_ids = np.full((scores.shape[0], k), -1, dtype=np.int64)
    if n == 0:
        return out_scores, out_ids
    take = min(k, n)
    part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    out_scores[:, :take] = np.take_along_axis(scores, best, axis=1)
    out_ids[:, :take] = np.take_along_axis(ids, best, axis=1)
    return out_scores, out_ids


# --------------------------------------------------------------------------------------------------
# Building, tuning, saving
# --------------------------------------------------------------------------------------------------


def new_ann(kind: AnnKind, dim: int, config: AnnConfig) -> Ann:
    """An empty index of a kind that needs no training (flat or hnsw)."""
    if kind in (AnnKind.IVF_SQ8, AnnKind.IVF_PQ):
        raise ValueError(f"{kind} is trained: use build_ann")
    return _CLASSES[kind](dim, config)


def build_ann(kind: AnnKind, dim: int, config: AnnConfig, source: VectorSource) -> Ann:
    """An index of ``kind`` over every vector of ``source``; IVF kinds are trained, filled, then tuned."""
    n = len(source)
    if kind in (AnnKind.FLAT, AnnKind.HNSW) or n < MIN_IVF:
        ann = new_ann(kind if kind in (AnnKind.FLAT, AnnKind.HNSW) else AnnKind.FLAT, dim, config)
        for ids, vectors in source.chunks():
            ann.add(ids, vectors)
        return ann
    started = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    nlist = min(config.nlist, n) if config.nlist else auto_nlist(n)
    train_rows = np.sort(rng.choice(n, size=min(n, TRAIN_PER_LIST * nlist), replace=False))
    ivf = IvfAnn.create(kind, dim, config, nlist)
    ivf.train(source.rows(train_rows))
    trained = time.perf_counter()
    for ids, vectors in source.chunks():
        ivf.add(ids, vectors)
    added = time.perf_counter()
    held_out = np.setdiff1d(np.arange(n), train_rows) if len(train_rows) < n else np.arange(n)
    query_rows = np.sort(rng.choice(held_out, size=min(len(held_out), config.tune_queries), replace=False))
    tune(ivf, source, query_rows)
    ivf.info.update(
        trained_on=n,
        train_sample=len(train_rows),
        seconds={
            "train": round(trained - started, 2),
            "add": round(added - trained, 2),
            "tune": round(time.perf_counter() - added, 2),
        },
    )
    log.info("built %s index over %d vectors: %s", kind, n, ivf.info)
    return ivf


def exact_neighbours(queries: Vectors, source: VectorSource, k: int) -> Ids:
    """Ids of the exact top ``k`` of ``source`` for each query, computed a chunk at a time."""
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_ids = np.full((len(queries), 0), -1, dtype=np.int64)
    for ids, vectors in source.chunks():
        scores, rows = faiss.knn(queries, vectors, min(k, len(ids)), metric=faiss.METRIC_INNER_PRODUCT)
        best_scores = np.hstack([best_scores, scores])
        best_ids = np.hstack([best_ids, ids[rows]])
        best_scores, best_ids = _top_k(best_scores, best_ids, k)
    return best_ids


def recall_at(found: Ids, truth: Ids, own: Ids, k: int = RECALL_K) -> float:
    """Mean share of each query's true top ``k`` among its found top ``k``, its own id left out of both."""
    shares = []
    for got, true, me in zip(found, truth, own, strict=True):
        expected = [t for t in true.tolist() if t not in (me, -1)][:k]
        if expected:
            returned = [g for g in got.tolist() if g not in (me, -1)][:k]
            shares.append(len(set(expected) & set(returned)) / len(expected))
    return float(np.mean(shares)) if shares else 1.0


REFINE_STEPS = (1, 2, 4, 8)  # multiples of the configured refine_factor the ivf-pq tuning may use


def tune(ivf: IvfAnn, source: VectorSource, query_rows: npt.NDArray[np.int64]) -> None:
    """Choose ``nprobe`` (and ivf-pq's ``refine_factor``) reaching the target recall@10 on held-out rows.

    For each re-ranking depth (ivf-pq: 1, 2, 4, 8 times the configured one) the smallest ``nprobe`` that reaches
    the target; of those, the setting that reads the fewest bytes per search. PQ error caps the recall a depth can
    reach, so a depth whose recall stops growing with ``nprobe`` is left early. A fixed ``config.nprobe`` is kept
    as given. When nothing reaches the target, the setting with the best recall wins and a warning is logged.
    """
    config = ivf.config
    queries = source.rows(query_rows)
    own = source.ids()[query_rows]
    truth = exact_neighbours(queries, source, RECALL_K + 1)
    nprobes = [config.nprobe] if config.nprobe else [s for s in _NPROBE_STEPS if s < ivf.nlist] + [ivf.nlist]
    pq = isinstance(ivf, IvfPqAnn)
    refines = [config.refine_factor * m for m in REFINE_STEPS] if pq else [config.refine_factor]
    best: tuple[float, int, int, float] | None = None  # cost, nprobe, refine factor, recall
    closest = (0.0, nprobes[-1], refines[-1])  # recall, nprobe, refine factor
    for refine in refines:
        previous = -1.0
        for nprobe in nprobes:
            cost = ivf.scan_cost(nprobe, refine)
            if best is not None and cost >= best[0]:
                break
            _, found = ivf.search_with(queries, RECALL_K + 1, nprobe, refine)
            recall = recall_at(found, truth, own)
            closest = max(closest, (recall, nprobe, refine))
            if recall >= config.target_recall:
                best = (cost, nprobe, refine, recall)
                break
            if pq and nprobe >= 8 and recall - previous < 0.002:
                break  # the PQ ranking, not the lists probed, limits this depth
            previous = recall
    if best is None:
        recall, nprobe, refine = closest
        log.warning("recall@10 %.3f is below the target %.2f at every setting tried", recall, config.target_recall)
    else:
        _, nprobe, refine, recall = best
    ivf.nprobe, ivf.refine_factor = nprobe, refine
    ivf.info.update(
        nlist=ivf.nlist,
        nprobe=nprobe,
        recall_at_10=round(recall, 4),
        target_recall=config.target_recall,
        tune_queries=len(query_rows),
    )
    if pq:
        ivf.info.update(pq_m=int(ivf.ivf.pq.M), refine_factor=refine)


def read_parts(meta: Mapping[str, Any], paths: Mapping[str, Path], dim: int, config: AnnConfig) -> Ann:
    """The index whose :meth:`Ann.parts` were saved at ``paths``, described by ``meta`` (:meth:`Ann.meta`)."""
    try:
        kind = AnnKind(meta.get("kind", "flat"))
    except ValueError as exc:
        raise IndexMismatchError(f"unknown vector index kind {meta.get('kind')!r}") from exc
    for path in paths.values():
        if not path.exists():  # a newer writer removed this generation: say so, not faiss's I/O message
            raise FileNotFoundError(errno.ENOENT, "no such file", str(path))
    main = faiss.read_index(str(paths["faiss"]))
    ann: Ann
    if kind in (AnnKind.IVF_SQ8, AnnKind.IVF_PQ):
        refine = faiss.read_index(str(paths["refine"])) if kind is AnnKind.IVF_PQ else None
        nprobe = config.nprobe or int(meta.get("nprobe", 1))
        ann = _CLASSES[kind](dim, config, main, refine, nprobe)  # type: ignore[call-arg]
    else:
        ann = _CLASSES[kind](dim, config, main)  # type: ignore[call-arg]
    ann.info = {k: v for k, v in meta.items() if k != "kind"}
    if isinstance(ann, IvfAnn):
        ann.info["nprobe"] = ann.nprobe
        ann.refine_factor = int(meta.get("refine_factor", config.refine_factor))
    return ann


def part_names(kind: AnnKind) -> tuple[str, ...]:
    return ("faiss", "refine") if kind is AnnKind.IVF_PQ else ("faiss",)
