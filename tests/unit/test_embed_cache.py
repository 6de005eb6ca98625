"""Embedding cache: content-hash keys, append-only shards, and compaction."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from papergraph.embed import EmbeddingCache, text_key
from papergraph.embed import cache as cache_module


def test_cache_roundtrip_and_shards(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, "model@256")
    keys = [text_key("a"), text_key("b")]
    cache.put(keys, np.eye(2, 4, dtype=np.float32))
    cache.save()
    cache.put([text_key("c")], np.ones((1, 4), dtype=np.float32))
    cache.save()
    cache.save()  # nothing pending: no empty shard
    folder = tmp_path / "embeddings" / "model-256"
    assert sorted(p.name for p in folder.iterdir()) == ["shard-00001.npz", "shard-00002.npz"]
    again = EmbeddingCache(tmp_path, "model@256")
    assert len(again) == 3
    np.testing.assert_array_equal(again.get([text_key("b")])[text_key("b")], [0, 1, 0, 0])
    assert EmbeddingCache(tmp_path, "other-model").get(keys) == {}


def test_cache_compacts_when_shards_pile_up(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cache_module, "MAX_SHARDS", 3)
    cache = EmbeddingCache(tmp_path, "m")
    for i in range(5):
        cache.put([text_key(str(i))], np.full((1, 2), i, dtype=np.float32))
        cache.save()
    shards = list((tmp_path / "embeddings" / "m").iterdir())
    assert len(shards) <= 3
    assert len(EmbeddingCache(tmp_path, "m")) == 5


def test_unreadable_shard_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "embeddings" / "m"
    folder.mkdir(parents=True)
    (folder / "shard-00001.npz").write_bytes(b"garbage")
    assert len(EmbeddingCache(tmp_path, "m")) == 0
