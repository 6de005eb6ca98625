"""Embedding cache keyed by content hash, so unchanged papers never cost model time again.

One SQLite file per model (``<cache>/embeddings/<model-slug>.sqlite``: text hash -> float32 vector), read a batch
of keys at a time: at millions of papers the cache is gigabytes and never loaded whole. The ingest job saves
(commits) it every ``embed_checkpoint`` vectors; a committed checkpoint survives a killed process, so a killed run
redoes at most that much model work. Caches of the first layout (``<model-slug>/shard-*.npz``) are imported on
first use.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from papergraph.embed.encoder import Vectors
from papergraph.models import slugify
from papergraph.tables import checkpoint, open_cache, open_memory, select_in

log = logging.getLogger(__name__)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class EmbeddingCache:
    """Vectors by text hash for one model; ``folder=None`` keeps it in memory only."""

    def __init__(self, folder: Path | None, model_id: str) -> None:
        self.path = folder / "embeddings" / f"{slugify(model_id)}.sqlite" if folder else None
        self._conn = open_cache(self.path) if self.path else open_memory()
        self._conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._pending = 0
        if self.path is not None:
            self._import_shards(self.path.with_suffix(""))

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def get(self, keys: Iterable[str]) -> dict[str, Vectors]:
        rows = select_in(self._conn, "SELECT key, vector FROM vectors WHERE key IN ({})", list(dict.fromkeys(keys)))
        return {str(k): np.frombuffer(v, dtype=np.float32) for k, v in rows}  # type: ignore[call-overload]

    def put(self, keys: Sequence[str], vectors: Vectors) -> None:
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors, strict=True)]
        self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        self._pending += len(rows)

    @property
    def pending(self) -> int:
        """Vectors added since the last save."""
        return self._pending

    def save(self) -> None:
        """Commit what was added since the last save (a checkpoint)."""
        if self._pending:
            checkpoint(self._conn)
            self._pending = 0

    def close(self) -> None:
        self._conn.close()

    def _import_shards(self, folder: Path) -> None:
        """Move the vectors of a first-layout cache (npz shards) into the SQLite file, then remove the shards."""
        if not folder.is_dir():
            return
        for shard in sorted(folder.glob("shard-*.npz")):
            try:
                with np.load(shard) as data:
                    self.put(data["keys"].tolist(), data["vectors"])
            except (OSError, ValueError, KeyError, sqlite3.Error) as exc:
                log.warning("ignoring unreadable embedding cache shard %s: %s", shard, exc)
        checkpoint(self._conn)
        self._pending = 0
        shutil.rmtree(folder, ignore_errors=True)
        log.info("imported the embedding cache %s into %s", folder, self.path)
