"""Embedding cache keyed by content hash, so unchanged papers never cost model time again.

Append-only shards (``shard-00001.npz``: keys and vectors) under ``<cache>/embeddings/<model-slug>/``; each shard
is written to a temp file and renamed, so a crash loses at most the shard being written. The ingest job saves a
shard every ``embed_checkpoint`` vectors, so a killed run redoes at most that much model work.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from papergraph.atomic import atomic_write
from papergraph.embed.encoder import Vectors
from papergraph.models import slugify

log = logging.getLogger(__name__)

MAX_SHARDS = 32


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class EmbeddingCache:
    """Vectors by text hash for one model; ``folder=None`` keeps it in memory only."""

    def __init__(self, folder: Path | None, model_id: str) -> None:
        self.folder = folder / "embeddings" / slugify(model_id) if folder else None
        self._vectors: dict[str, Vectors] = {}
        self._pending: dict[str, Vectors] = {}
        if self.folder and self.folder.is_dir():
            for shard in sorted(self.folder.glob("shard-*.npz")):
                try:
                    with np.load(shard) as data:
                        self._vectors.update(zip(data["keys"].tolist(), data["vectors"], strict=True))
                except (OSError, ValueError, KeyError) as exc:
                    log.warning("ignoring unreadable embedding cache shard %s: %s", shard, exc)

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, keys: Iterable[str]) -> dict[str, Vectors]:
        return {k: self._vectors[k] for k in keys if k in self._vectors}

    def put(self, keys: Sequence[str], vectors: Vectors) -> None:
        for key, vector in zip(keys, vectors, strict=True):
            self._vectors[key] = vector
            self._pending[key] = vector

    @property
    def pending(self) -> int:
        """Vectors added since the last save."""
        return len(self._pending)

    def save(self) -> None:
        """Write what was added since the last save as a new shard (a checkpoint).

        When shards pile up, the newest half is merged into one: each vector is rewritten a logarithmic
        number of times however many checkpoints a run makes, and the merged shard is written before the
        shards it replaces are removed, so a crash loses nothing.
        """
        if not self.folder or not self._pending:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        shards = sorted(self.folder.glob("shard-*.npz"))
        number = int(shards[-1].stem.split("-")[1]) + 1 if shards else 1
        merge = shards[len(shards) // 2 :] if len(shards) >= MAX_SHARDS else []
        items = dict(self._pending)
        if merge:
            items = {**self._read_keys(merge), **items}
        self._write(self.folder / f"shard-{number:05d}.npz", items)
        for old in merge:
            old.unlink(missing_ok=True)
        self._pending.clear()

    def _read_keys(self, shards: Sequence[Path]) -> dict[str, Vectors]:
        keys: list[str] = []
        for shard in shards:
            try:
                with np.load(shard) as data:
                    keys += data["keys"].tolist()
            except (OSError, ValueError, KeyError):
                continue
        return {k: self._vectors[k] for k in keys if k in self._vectors}

    @staticmethod
    def _write(path: Path, items: dict[str, Vectors]) -> None:
        keys = np.array(list(items), dtype="U40")
        vectors = np.stack(list(items.values())).astype(np.float32)
        buffer = io.BytesIO()
        np.savez(buffer, keys=keys, vectors=vectors)
        atomic_write(path, buffer.getvalue())
