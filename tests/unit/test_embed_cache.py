"""Embedding cache: content-hash keys in one SQLite file per model, checkpoints, and the import of the old shards."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from papergraph.embed import EmbeddingCache, text_key


def test_cache_roundtrip_per_model(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, "model@256")
    keys = [text_key("a"), text_key("b")]
    cache.put(keys, np.eye(2, 4, dtype=np.float32))
    assert cache.pending == 2
    cache.save()
    cache.put([text_key("c")], np.ones((1, 4), dtype=np.float32))
    cache.save()
    assert cache.pending == 0
    assert sorted(p.name for p in (tmp_path / "embeddings").iterdir() if p.suffix == ".sqlite") == ["model-256.sqlite"]
    again = EmbeddingCache(tmp_path, "model@256")
    assert len(again) == 3
    np.testing.assert_array_equal(again.get([text_key("b"), text_key("zz")])[text_key("b")], [0, 1, 0, 0])
    assert EmbeddingCache(tmp_path, "other-model").get(keys) == {}


def test_only_saved_checkpoints_survive(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, "m")
    cache.put([text_key("kept")], np.ones((1, 2), dtype=np.float32))
    cache.save()
    cache.put([text_key("lost")], np.ones((1, 2), dtype=np.float32))  # never saved: a killed run loses it
    assert set(EmbeddingCache(tmp_path, "m").get([text_key("kept"), text_key("lost")])) == {text_key("kept")}


def test_shards_of_the_first_layout_are_imported_and_a_broken_one_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "embeddings" / "m"
    folder.mkdir(parents=True)
    buffer = io.BytesIO()
    np.savez(buffer, keys=np.array([text_key("x")], dtype="U40"), vectors=np.full((1, 2), 7, dtype=np.float32))
    (folder / "shard-00001.npz").write_bytes(buffer.getvalue())
    (folder / "shard-00002.npz").write_bytes(b"garbage")
    cache = EmbeddingCache(tmp_path, "m")
    assert len(cache) == 1 and not folder.exists()
    np.testing.assert_array_equal(cache.get([text_key("x")])[text_key("x")], [7, 7])
