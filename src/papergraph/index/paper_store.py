"""The paper store: every stored paper, its FAISS id, content hash and title key, in one SQLite file per generation.

``<generation>/papers.sqlite`` holds one row per paper (``id`` primary key; ``hash`` and ``title_key`` indexed, so
an ingest finds a stored paper by identity or by content without loading the store). Only the ids and their
FAISS ids stay in memory (in :class:`~papergraph.index.VectorIndex`); a paper is read when it is asked for. At the
arXiv snapshot's size that keeps a server's memory to the ids (~0.2 kB a paper) instead of every ``Paper``
(~2.7 kB a paper, 7.5 GB at 2.8M).

An ingest writes the next generation's store as a *draft*: a copy of the committed file inside the new, not yet
committed, generation folder, changed batch by batch; :meth:`PaperStore.save` closes it, and from then on it is
read only, like every committed file.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from pathlib import Path

import orjson

from papergraph.models import Paper, normalize_title
from papergraph.tables import checkpoint, chunks, copy_into, open_draft, open_frozen, open_memory, select_in

log = logging.getLogger(__name__)

FILE = "papers.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS papers (id TEXT PRIMARY KEY, fid INTEGER NOT NULL, hash TEXT NOT NULL, "
    "title_key TEXT NOT NULL, paper BLOB NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS papers_title_key ON papers (title_key)",
    "CREATE INDEX IF NOT EXISTS papers_hash ON papers (hash)",
)
_READ_BATCH = 1000


def _paper(blob: object) -> Paper:
    return Paper.model_validate(orjson.loads(blob))  # type: ignore[arg-type]


class PaperStore:
    """Papers by id in a SQLite database: in memory, a draft being written, or a committed (frozen) file."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None, *, writable: bool = True) -> None:
        self._conn = conn
        self.path = path
        self.writable = writable
        self._lock = threading.Lock()  # one connection shared by a server's threads
        if writable:
            for statement in _SCHEMA:
                conn.execute(statement)

    # --- opening ----------------------------------------------------------------------------------------
    @classmethod
    def memory(cls) -> PaperStore:
        return cls(open_memory())

    @classmethod
    def frozen(cls, path: Path) -> PaperStore:
        """A committed generation's store (raises FileNotFoundError when it is gone)."""
        if not path.is_file():
            raise FileNotFoundError(2, "no such file", str(path))
        return cls(open_frozen(path), path, writable=False)

    @classmethod
    def from_jsonl(cls, path: Path) -> PaperStore:
        """A generation of the first layout (``papers.jsonl``), read into memory; saved as SQLite at the next commit."""
        store = cls.memory()
        rows: list[tuple[Paper, int]] = []
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    row = orjson.loads(line)
                    rows.append((Paper.model_validate(row["paper"]), int(row["fid"])))
        store.put(rows)
        return store

    def draft(self, path: Path) -> PaperStore:
        """A writable copy of this store at ``path`` (inside a generation folder that is not committed yet)."""
        with self._lock:
            if self.path is not None and not self.writable:
                shutil.copyfile(self.path, path)
            else:
                checkpoint(self._conn)
                copy_into(self._conn, path)
        return PaperStore(open_draft(path), path)

    # --- reading ----------------------------------------------------------------------------------------
    def get(self, paper_id: str) -> Paper | None:
        with self._lock:
            row = self._conn.execute("SELECT paper FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return _paper(row[0]) if row else None

    def get_many(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        with self._lock:
            rows = list(select_in(self._conn, "SELECT id, paper FROM papers WHERE id IN ({})", paper_ids))
        return {str(pid): _paper(blob) for pid, blob in rows}

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    def fids(self) -> Iterator[tuple[str, int]]:
        """(id, FAISS id) of every paper, in id order."""
        yield from self._scan("SELECT id, fid FROM papers WHERE id > ? ORDER BY id LIMIT ?")  # type: ignore[misc]

    def hashes(self) -> Iterator[tuple[str, str]]:
        """(id, content hash) of every paper, in id order."""
        yield from self._scan("SELECT id, hash FROM papers WHERE id > ? ORDER BY id LIMIT ?")  # type: ignore[misc]

    def papers(self) -> Iterator[Paper]:
        """Every paper, in id order, read a batch at a time."""
        for _, blob in self._scan("SELECT id, paper FROM papers WHERE id > ? ORDER BY id LIMIT ?"):
            yield _paper(blob)

    def _scan(self, sql: str) -> Iterator[tuple[object, ...]]:
        """Rows in id order, a page at a time (keyset paging: safe while the caller writes in between)."""
        after = ""
        while True:
            with self._lock:
                rows = self._conn.execute(sql, (after, _READ_BATCH)).fetchall()
            yield from rows
            if len(rows) < _READ_BATCH:
                return
            after = str(rows[-1][0])

    def ids_by_title_key(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """Stored ids under each of ``keys`` (normalized titles)."""
        out: dict[str, list[str]] = {}
        with self._lock:
            rows = list(select_in(self._conn, "SELECT title_key, id FROM papers WHERE title_key IN ({})", keys))
        for key, pid in rows:
            out.setdefault(str(key), []).append(str(pid))
        return out

    def ids_by_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        """A stored paper id for each of ``hashes`` that some stored paper has (the smallest id)."""
        out: dict[str, str] = {}
        with self._lock:
            rows = list(
                select_in(self._conn, "SELECT hash, min(id) FROM papers WHERE hash IN ({}) GROUP BY hash", hashes)
            )
        for h, pid in rows:
            out[str(h)] = str(pid)
        return out

    # --- writing ----------------------------------------------------------------------------------------
    def _thaw(self) -> None:
        """Before a write to a saved (read-only) store: go on in a copy in memory; the saved file never changes."""
        if not self.writable:
            copy = open_memory()
            self._conn.backup(copy)
            self._conn.close()
            self._conn, self.path, self.writable = copy, None, True

    def put(self, rows: Iterable[tuple[Paper, int]]) -> None:
        """Store papers under their FAISS ids (replacing a paper of the same id)."""
        values = [
            (p.id, fid, p.content_hash, normalize_title(p.title), orjson.dumps(p.model_dump())) for p, fid in rows
        ]
        with self._lock:
            self._thaw()
            self._conn.executemany("INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?, ?)", values)

    def delete(self, paper_ids: Sequence[str]) -> None:
        with self._lock:
            self._thaw()
            list(select_in(self._conn, "DELETE FROM papers WHERE id IN ({})", paper_ids))

    def save(self, folder: Path) -> str:
        """Make the store the file ``folder/papers.sqlite`` and read only from now on; its file name."""
        target = folder / FILE
        with self._lock:
            checkpoint(self._conn)
            if not (self.path is not None and self.path.resolve() == target.resolve() and self.writable):
                copy_into(self._conn, target)  # in memory, or a file elsewhere: written there
            self._conn.close()
            self._conn = open_frozen(target)
            self.path, self.writable = target, False
        return FILE

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class PaperView(Mapping[str, Paper]):
    """``VectorIndex.papers``: the stored papers by id; membership and size from the ids in memory, papers from disk."""

    def __init__(self, ids: Mapping[str, int], store: PaperStore) -> None:
        self._ids = ids
        self._store = store

    def __getitem__(self, paper_id: str) -> Paper:
        paper = self._store.get(paper_id) if paper_id in self._ids else None
        if paper is None:
            raise KeyError(paper_id)
        return paper

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def values(self) -> ValuesView[Paper]:
        return _Values(self)

    def items(self) -> ItemsView[str, Paper]:
        return _Items(self)

    def batches(self) -> Iterator[tuple[list[str], dict[str, Paper]]]:
        """(ids, papers by id) in key order, a thousand at a time (one read each)."""
        for ids in chunks(iter(self._ids), _READ_BATCH):
            yield ids, self._store.get_many(ids)

    def stream(self) -> Iterator[Paper]:
        """Every paper, in id order, a batch at a time (for building BM25 or exporting)."""
        return self._store.papers()


class _Values(ValuesView[Paper]):
    """The papers in key order, read a thousand at a time (not one query per paper)."""

    _mapping: PaperView

    def __iter__(self) -> Iterator[Paper]:
        for ids, papers in self._mapping.batches():
            yield from (papers[pid] for pid in ids)


class _Items(ItemsView[str, Paper]):
    _mapping: PaperView

    def __iter__(self) -> Iterator[tuple[str, Paper]]:
        for ids, papers in self._mapping.batches():
            yield from ((pid, papers[pid]) for pid in ids)
