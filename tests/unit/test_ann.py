"""Vector index kinds on small clustered data: build, tune, search, filters, remove, save and reload."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from papergraph.atomic import CommitPoint
from papergraph.index import AnnConfig, AnnKind, VectorIndex
from papergraph.index.ann import (
    ArraySource,
    IvfAnn,
    auto_nlist,
    build_ann,
    exact_neighbours,
    pq_subquantizers,
    recall_at,
)
from support import paper

DIM = 64
N = 2000


def clustered(n: int = N, dim: int = DIM, clusters: int = 40, seed: int = 0) -> np.ndarray:
    """Normalised vectors around a few random centres, like embeddings of papers on a few topics."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    x = centres[rng.integers(0, clusters, n)] + 0.6 * rng.normal(size=(n, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def exact_top(x: np.ndarray, q: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[int]:
    rows = np.arange(len(x)) if rows is None else rows
    scores = x[rows] @ q
    return [int(rows[i]) for i in np.argsort(-scores, kind="stable")[:k]]


def build(kind: AnnKind, x: np.ndarray, **config: object) -> VectorIndex:
    idx = VectorIndex(DIM, "test@64", ann_threshold=500, **{"kind": kind, "tune_queries": 100, **config})
    papers = [paper(f"p{i}", f"title {i}", f"abstract {i}") for i in range(len(x))]
    for lo in range(0, len(x), 700):  # several upserts, crossing the threshold on the way
        idx.upsert(papers[lo : lo + 700], x[lo : lo + 700])
    return idx


def commit(idx: VectorIndex, root: Path) -> Path:
    """Save ``idx`` as the next generation under ``root`` and commit it; returns the generation folder."""
    point = CommitPoint(root)
    number, folder = point.begin()
    point.commit(number, folder, {"index": idx.save(folder)})
    point.clean()
    return folder


def hits(idx: VectorIndex, q: np.ndarray, k: int = 10, allowed: set[str] | None = None) -> list[int]:
    return [int(h.paper_id[1:]) for h in idx.search(q, k, allowed)]


KINDS = [AnnKind.HNSW, AnnKind.IVF_SQ8, AnnKind.IVF_PQ]


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return clustered(N + 50)[:N]


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    """Unseen vectors from the same topics as ``data``."""
    return clustered(N + 50)[N:]


@pytest.mark.parametrize("kind", KINDS)
def test_kind_above_threshold_finds_neighbours(kind: AnnKind, data: np.ndarray, queries: np.ndarray) -> None:
    idx = build(kind, data)
    assert idx.kind == kind.value and len(idx) == N
    recall = np.mean([len(set(hits(idx, q)) & set(exact_top(data, q, 10))) / 10 for q in queries])
    assert recall >= 0.9
    assert hits(idx, data[123], 1) == [123]  # a stored vector finds itself


@pytest.mark.parametrize("kind", [AnnKind.IVF_SQ8, AnnKind.IVF_PQ])
def test_ivf_is_tuned_to_the_target_and_records_it(kind: AnnKind, data: np.ndarray) -> None:
    idx = build(kind, data, target_recall=0.97)
    meta = idx.manifest()["ann"]
    assert meta["kind"] == kind.value
    assert meta["recall_at_10"] >= 0.97 and meta["target_recall"] == 0.97
    assert 1 <= meta["nprobe"] <= meta["nlist"] and meta["tune_queries"] == 100
    loose = build(kind, data, target_recall=0.5)
    assert loose.manifest()["ann"]["nprobe"] <= meta["nprobe"]


def test_fixed_nprobe_is_kept_and_measured(data: np.ndarray) -> None:
    meta = build(AnnKind.IVF_SQ8, data, nprobe=1).manifest()["ann"]
    assert meta["nprobe"] == 1 and 0.0 < meta["recall_at_10"] < 1.0


@pytest.mark.parametrize("kind", [AnnKind.FLAT, *KINDS])
def test_filters_return_only_allowed_papers(kind: AnnKind, data: np.ndarray) -> None:
    idx = build(kind, data, exact_filter_max=50) if kind is not AnnKind.FLAT else build(kind, data[:400])
    q = data[7]
    few = {f"p{i}" for i in range(0, 400, 10)}  # 40 papers: scored exactly
    expected = exact_top(data, q, 5, np.arange(0, 400, 10))
    assert hits(idx, q, 5, few) == expected
    many = {f"p{i}" for i in range(0, 400, 2)}  # 200 papers: the approximate index with a selector
    found = hits(idx, q, 5, many)
    assert found and all(i % 2 == 0 and i < 400 for i in found)
    assert idx.search(q, 5, {"unknown"}) == []


@pytest.mark.parametrize("kind", [AnnKind.FLAT, *KINDS])
def test_remove_and_replace(kind: AnnKind, data: np.ndarray) -> None:
    idx = build(kind, data if kind is not AnnKind.FLAT else data[:400])
    size = len(idx)
    assert idx.remove([f"p{i}" for i in range(100)] + ["unknown"]) == 100
    assert len(idx) == size - 100 and idx.ann.ntotal == size - 100
    for i in (3, 50, 99):
        assert all(h.paper_id != f"p{i}" for h in idx.search(data[i], 20))
    moved = paper("p200", "moved", "moved")
    idx.upsert([moved], data[5:6])  # p200 now sits where p5 was
    assert idx.search(data[5], 1)[0].paper_id == "p200" and len(idx) == size - 100


@pytest.mark.parametrize("kind", [AnnKind.FLAT, *KINDS])
def test_save_load_keeps_kind_tuning_and_results(
    kind: AnnKind, data: np.ndarray, queries: np.ndarray, tmp_path: Path
) -> None:
    idx = build(kind, data if kind is not AnnKind.FLAT else data[:400])
    idx.remove(["p1", "p2"])
    folder = commit(idx, tmp_path)
    loaded = VectorIndex.load(tmp_path, model_id="test@64", kind=kind)
    assert loaded.kind == kind.value and len(loaded) == len(idx)
    assert loaded.manifest()["ann"] == idx.manifest()["ann"]
    for q in queries[:5]:
        assert hits(loaded, q) == hits(idx, q)
    names = sorted(p.name for p in folder.iterdir())
    assert names == (
        ["papers.sqlite", "refine.faiss", "vectors.faiss"]
        if kind is AnnKind.IVF_PQ
        else ["papers.sqlite", "vectors.faiss"]
    )
    np.testing.assert_allclose(loaded.vectors(["p9"]), idx.vectors(["p9"]))
    assert float(loaded.vectors(["p9"])[0] @ data[9]) > 0.99  # 8-bit codes decode close to the original
    loaded.remove(["p3"])  # a reloaded index still removes and adds in place
    loaded.upsert([paper("new", "new", "new")], data[3:4])
    assert loaded.search(data[3], 1)[0].paper_id == "new"
    commit(loaded, tmp_path)
    assert len(VectorIndex.load(tmp_path)) == len(idx)


def test_index_saved_before_ann_meta_still_loads(data: np.ndarray, tmp_path: Path) -> None:
    idx = build(AnnKind.FLAT, data[:300])
    commit(idx, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    del manifest["parts"]["index"]["ann"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    loaded = VectorIndex.load(tmp_path)
    assert loaded.kind == "flat" and hits(loaded, data[4], 1) == [4]


def test_ivf_retrains_when_it_outgrows_its_training(data: np.ndarray) -> None:
    idx = VectorIndex(DIM, "test@64", ann_threshold=1000, kind=AnnKind.IVF_SQ8, tune_queries=50, retrain_growth=1.5)
    papers = [paper(f"p{i}", f"t{i}", f"a{i}") for i in range(N)]
    idx.upsert(papers[:1000], data[:1000])
    assert idx.kind == "ivf-sq8" and idx.manifest()["ann"]["trained_on"] == 1000
    idx.upsert(papers[1000:1400], data[1000:1400])
    assert idx.manifest()["ann"]["trained_on"] == 1000
    idx.upsert(papers[1400:], data[1400:])
    assert idx.manifest()["ann"]["trained_on"] == N


def test_small_collections_stay_exact(data: np.ndarray) -> None:
    idx = build(AnnKind.IVF_PQ, data[:600])  # over the threshold (500) but too few to train lists on
    assert idx.kind == "flat"


def test_helpers(data: np.ndarray) -> None:
    assert auto_nlist(2_800_000) == 4096 and auto_nlist(20_000) == 256 and auto_nlist(100) == 2
    assert pq_subquantizers(384, 48) == 48 and pq_subquantizers(64, 48) == 32 and pq_subquantizers(7, 48) == 7
    own = np.array([0, 1])
    assert recall_at(np.array([[0, 5, 6], [3, 9, 8]]), np.array([[0, 5, 7], [1, 9, 3]]), own, k=2) == 0.75
    ids = np.arange(100, 100 + N, dtype=np.int64)
    truth = exact_neighbours(data[:3], ArraySource(ids, data), 4)
    assert truth.tolist() == [[100 + i for i in exact_top(data, q, 4)] for q in data[:3]]


def test_build_from_a_source_directly(data: np.ndarray) -> None:
    ann = build_ann(AnnKind.IVF_PQ, DIM, AnnConfig(tune_queries=50), ArraySource(np.arange(N, dtype=np.int64), data))
    assert isinstance(ann, IvfAnn) and ann.ntotal == N and ann.info["pq_m"] == 32
    assert set(ann.info["seconds"]) == {"train", "add", "tune"}


def test_settings_reach_the_index(data: np.ndarray) -> None:
    from papergraph.config import Settings
    from papergraph.index import index_options

    settings = Settings(ann_kind="ivf-sq8", ivf_nlist=16, ann_target_recall=0.9, ann_threshold=1000, hnsw_m=8)
    idx = VectorIndex(DIM, "test@64", **index_options(settings))
    assert idx.ann_threshold == 1000 and idx.config.hnsw_m == 8
    idx.upsert([paper(f"p{i}", f"t{i}", f"a{i}") for i in range(N)], data)
    meta = idx.manifest()["ann"]
    assert (idx.kind, meta["nlist"], meta["target_recall"]) == ("ivf-sq8", 16, 0.9)


def test_the_index_reads_only_the_options_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings flow one way from the edge: the environment reaches an index through index_options, never directly."""
    from papergraph.config import get_settings

    monkeypatch.setenv("PAPERGRAPH_ANN_KIND", "hnsw")
    monkeypatch.setenv("PAPERGRAPH_HNSW_M", "8")
    get_settings.cache_clear()
    try:
        assert VectorIndex(DIM, "test@64").config == AnnConfig()
        assert VectorIndex(DIM, "test@64", kind=AnnKind.HNSW, hnsw_m=8).config == AnnConfig(kind=AnnKind.HNSW, hnsw_m=8)
    finally:
        get_settings.cache_clear()


def test_pq_tuning_deepens_the_reranking_when_pq_limits_recall(data: np.ndarray) -> None:
    """With 2-byte PQ codes the PQ ranking alone is poor: only a deeper re-ranking reaches the target."""
    idx = build(AnnKind.IVF_PQ, data, pq_m=2, refine_factor=1, target_recall=0.9)
    meta = idx.manifest()["ann"]
    assert meta["recall_at_10"] >= 0.9 and meta["refine_factor"] > 1 and meta["pq_m"] == 2


def test_small_collection_over_the_threshold_is_not_rebuilt_on_every_upsert(
    data: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papergraph.index.vector_index as module

    calls: list[int] = []
    real = module.build_ann
    monkeypatch.setattr(module, "build_ann", lambda *a: calls.append(1) or real(*a))
    idx = VectorIndex(DIM, "test@64", ann_threshold=10, kind=AnnKind.IVF_PQ)
    for i in range(0, 300, 10):
        idx.upsert([paper(f"p{j}", f"t{j}", f"a{j}") for j in range(i, i + 10)], data[i : i + 10])
    assert idx.kind == "flat" and calls == []
