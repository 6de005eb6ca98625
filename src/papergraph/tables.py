"""On-disk tables (SQLite) for what grows with the corpus: the caches and each generation's paper store.

At the arXiv snapshot's 2.8 million papers, the cached extractions, the cached embeddings and the stored papers
are several gigabytes each: they live in SQLite files and are read a batch at a time, so memory stays flat.

Two kinds of file:

* **caches** (:func:`open_cache`): written in checkpoints during an ingest. WAL journal: a transaction that
  :func:`checkpoint` committed survives the process being killed (``kill -9``), so a killed run redoes at most
  one checkpoint of model work.
* **generation files** (:func:`open_draft`, :func:`open_frozen`): written into a generation folder that is not
  committed yet (no journal: a killed writer's folder is thrown away whole, see :mod:`papergraph.atomic`), then
  only read, as immutable files.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

MAX_PARAMS = 500
"""Values bound in one ``IN (...)`` list."""


def chunks(items: Iterable[T], size: int = MAX_PARAMS) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def marks(n: int) -> str:
    """``?,?,?`` for ``n`` parameters."""
    return ",".join("?" * n)


def open_cache(path: Path) -> sqlite3.Connection:
    """A cache file, created when missing; committed transactions survive a killed process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level="DEFERRED")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def open_draft(path: Path) -> sqlite3.Connection:
    """A file of a generation being written: fast, no journal (an uncommitted generation is discarded whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    return conn


def open_frozen(path: Path) -> sqlite3.Connection:
    """A committed generation's file, read only (it never changes: no locking, any thread)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def open_memory() -> sqlite3.Connection:
    """A table kept in memory (an index built in a test or a script, never saved)."""
    return sqlite3.connect(":memory:", isolation_level="DEFERRED", check_same_thread=False)


def checkpoint(conn: sqlite3.Connection) -> None:
    """Commit what was written since the last checkpoint (the fault-injection tests count these as writes)."""
    conn.commit()


def copy_into(source: sqlite3.Connection, path: Path) -> None:
    """Write the whole database behind ``source`` to a new file at ``path`` (SQLite's online backup)."""
    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()


def select_in(
    conn: sqlite3.Connection, sql: str, values: Sequence[object], *, before: Sequence[object] = ()
) -> Iterator[tuple[object, ...]]:
    """Rows of ``sql`` (holding one ``{}`` for the ``IN`` list) for ``values``, a chunk of them at a time."""
    for chunk in chunks(values):
        yield from conn.execute(sql.format(marks(len(chunk))), [*before, *chunk])
