"""FAISS index (the approximate kinds: test_ann.py): exact search, filters, upserts, generations, model checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from papergraph.atomic import CommitPoint
from papergraph.errors import IndexMismatchError, IndexNotFoundError
from papergraph.index import VectorIndex
from support import HashEncoder, paper


def _index(n: int = 30, threshold: int = 1000) -> tuple[VectorIndex, HashEncoder]:
    enc = HashEncoder()
    idx = VectorIndex(enc.dim, enc.model_id, ann_threshold=threshold)
    papers = [paper(f"p{i}", f"title {i}", f"abstract about topic{i} and word{i % 3}") for i in range(n)]
    idx.upsert(papers, enc.encode([p.text for p in papers]))
    return idx, enc


def test_search_finds_exact_text_first() -> None:
    idx, enc = _index()
    assert idx.kind == "flat"
    hits = idx.search(enc.encode_query("title 7 abstract about topic7 and word1"), 3)
    assert hits[0].paper_id == "p7" and hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_within_allowed_ids() -> None:
    idx, enc = _index()
    hits = idx.search(enc.encode_query("topic7"), 5, allowed={"p1", "p2", "missing"})
    assert {h.paper_id for h in hits} == {"p1", "p2"}
    assert idx.search(enc.encode_query("topic7"), 5, allowed=set()) == []


def test_upsert_replaces_and_remove_deletes() -> None:
    idx, enc = _index()
    new = paper("p7", "renamed", "completely different words")
    idx.upsert([new], enc.encode([new.text]))
    assert len(idx) == 30 and idx.papers["p7"].title == "renamed"
    assert idx.search(enc.encode_query("completely different words renamed"), 1)[0].paper_id == "p7"
    assert idx.remove(["p7", "p8", "unknown"]) == 2
    assert "p7" not in idx and len(idx) == 28


def _commit(idx: VectorIndex, root: Path) -> None:
    point = CommitPoint(root)
    number, folder = point.begin()
    point.commit(number, folder, {"index": idx.save(folder)})
    point.clean()


def test_save_load_roundtrip_and_generations(tmp_path: Path) -> None:
    idx, enc = _index()
    _commit(idx, tmp_path)
    more = paper("extra", "extra paper", "brand new")
    idx.upsert([more], enc.encode([more.text]))
    _commit(idx, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen-000001", "gen-000002", "manifest.json"]
    assert sorted(p.name for p in (tmp_path / "gen-000002").iterdir()) == ["papers.sqlite", "vectors.faiss"]
    loaded = VectorIndex.load(tmp_path, model_id=enc.model_id)
    assert len(loaded) == 31 and loaded.content_hashes() == idx.content_hashes() and loaded.generation == 2
    assert list(loaded.papers) == sorted(loaded.papers)  # the paper store is read in id order
    q = enc.encode_query("extra paper brand new")
    assert loaded.search(q, 1)[0].paper_id == "extra"
    np.testing.assert_allclose(loaded.vectors(["p3"]), idx.vectors(["p3"]))
    commit = CommitPoint(tmp_path).require()
    assert VectorIndex.stored_hashes(commit) == idx.content_hashes()


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="papergraph ingest"):
        VectorIndex.load(tmp_path)
    idx, _ = _index()
    _commit(idx, tmp_path)
    with pytest.raises(IndexMismatchError, match="built with"):
        VectorIndex.load(tmp_path, model_id="another-model@256")
    (tmp_path / "gen-000001" / "vectors.faiss").unlink()
    with pytest.raises(IndexNotFoundError, match="gone"):
        VectorIndex.load(tmp_path)
