"""Where ingest's model work runs: extraction and embedding of one batch of papers at a time.

The ingest job (:mod:`papergraph.ingest`) plans batches and writes their results; an *engine* fills in the model
work in between, keeping the batches in order:

* :class:`LocalEngine` (default): this process embeds batch *i* while batch *i+1* is extracted beside it, in a
  thread (``workers=0``) or in ``workers`` processes (``--workers N``); extraction (spaCy, mostly one core) and
  embedding (torch or ONNX Runtime, every core) use different resources, so the two overlap.
* :class:`papergraph.ray_engine.RayEngine` (``--engine ray``): Ray Data actor pools on a cluster.

Engines get papers and give back extractions (or why one failed) and vectors; caches, the index and the graph stay
with the ingest job.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from papergraph.config import Settings
from papergraph.embed.encoder import Vectors
from papergraph.models import Extraction, Paper

log = logging.getLogger(__name__)

Extracted = Extraction | str
"""An extraction, or why it failed (``"ValueError: ..."``): one bad paper never stops a batch."""


class DocumentEncoder(Protocol):
    """What ingest needs from an embedding model (``papergraph.embed.Encoder``; tests pass a fake)."""

    @property
    def model_id(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class PaperExtractor(Protocol):
    """What ingest needs from extraction (``papergraph.extract.Extractor``; tests pass a fake)."""

    def extract(self, papers: Iterable[Paper]) -> Iterator[Extraction]: ...


@dataclass
class Batch:
    """One batch of an ingest: what to store, what the graph gets, and the model work still to do."""

    number: int
    upserts: list[Paper] = field(default_factory=list)
    """New and changed papers (the version to store)."""
    added: set[str] = field(default_factory=set)
    """Ids of upserts that are new (the others replace a stored version)."""
    graph: list[Paper] = field(default_factory=list)
    """Papers whose graph record is written (the upserts, and stored papers the graph lacks or has stale)."""
    origin: dict[str, str] = field(default_factory=dict)
    """Where each input paper was read (``path:line``), for messages."""
    extractions: dict[str, Extraction] = field(default_factory=dict)
    """Extractions by paper id: from the cache, then from the engine."""
    vectors: dict[str, Vectors] = field(default_factory=dict)
    """Vectors by text key: from the cache or the stored index, then from the engine."""
    to_extract: list[Paper] = field(default_factory=list)
    to_embed: list[Paper] = field(default_factory=list)
    extracted: list[Extracted] = field(default_factory=list)
    """The engine's results, one per ``to_extract`` paper."""
    embedded: Vectors | None = None
    """The engine's vectors, one row per ``to_embed`` paper."""

    @property
    def size(self) -> int:
        return len({p.id for p in self.upserts} | {p.id for p in self.graph})


class Engine(Protocol):
    """Fills in ``extracted`` and ``embedded`` of each batch, yielding the batches in the order given."""

    seconds: dict[str, float]

    def run(self, batches: Iterable[Batch]) -> Iterator[Batch]: ...


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def extract_each(extractor: PaperExtractor, papers: Sequence[Paper]) -> list[Extracted]:
    """Extractions of ``papers``; when the batch fails, each paper alone, so a bad paper costs only itself."""
    if not papers:
        return []
    try:
        return list(extractor.extract(papers))
    except Exception as exc:
        if len(papers) == 1:
            return [describe(exc)]
    out: list[Extracted] = []
    for paper in papers:
        try:
            out += list(extractor.extract([paper]))
        except Exception as exc:
            out.append(describe(exc))
    return out


def default_extractor(settings: Settings) -> PaperExtractor:
    """The rule-based spaCy extractor (imported on first use: loading spaCy takes seconds)."""
    from papergraph.extract import Extractor

    return Extractor(settings)


# --------------------------------------------------------------------------------------------------
# Extraction in worker processes (--workers N)
# --------------------------------------------------------------------------------------------------

_worker_extractor: PaperExtractor | None = None


def _start_worker(settings: Settings, extractor: PaperExtractor | None) -> None:
    global _worker_extractor
    _worker_extractor = extractor or default_extractor(settings)


def _extract_in_worker(papers: list[Paper]) -> tuple[list[Extracted], float]:
    assert _worker_extractor is not None, "worker started without an extractor"
    started = time.perf_counter()
    return extract_each(_worker_extractor, papers), time.perf_counter() - started


class LocalEngine:
    """Embeds in this process while the next batches are extracted in a thread or in worker processes."""

    def __init__(
        self,
        settings: Settings,
        encoder: DocumentEncoder,
        extractor: PaperExtractor | None = None,
        workers: int = 0,
    ) -> None:
        self.settings = settings
        self.encoder = encoder
        self._given = extractor
        self._extractor = extractor
        self._lock = threading.Lock()
        self.workers = workers
        self.seconds: dict[str, float] = {"extract": 0.0, "embed": 0.0}

    @property
    def extractor(self) -> PaperExtractor:
        with self._lock:  # spaCy loads only when there is work, in whichever thread needs it first
            if self._extractor is None:
                self._extractor = default_extractor(self.settings)
            return self._extractor

    def _extract_here(self, papers: list[Paper]) -> tuple[list[Extracted], float]:
        started = time.perf_counter()
        return extract_each(self.extractor, papers), time.perf_counter() - started

    def _pool(self) -> tuple[Executor, Callable[[list[Paper]], tuple[list[Extracted], float]]]:
        if self.workers <= 0:
            return ThreadPoolExecutor(1, thread_name_prefix="extract"), self._extract_here
        context = multiprocessing.get_context("spawn")  # never fork a process that holds torch's threads
        pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_start_worker, initargs=(self.settings, self._given)
        )
        return pool, _extract_in_worker

    def run(self, batches: Iterable[Batch]) -> Iterator[Batch]:
        if not self.settings.ingest_overlap and self.workers <= 0:
            for batch in batches:  # one step after the other (for measuring the overlap)
                done: Future[tuple[list[Extracted], float]] = Future()
                done.set_result(self._extract_here(batch.to_extract))
                yield self._complete(batch, done)
            return
        pool, task = self._pool()
        ahead = max(1, self.workers)
        window: deque[tuple[Batch, Future[tuple[list[Extracted], float]]]] = deque()
        try:
            for batch in batches:
                window.append((batch, pool.submit(task, batch.to_extract)))
                if len(window) > ahead:
                    yield self._complete(*window.popleft())
            while window:
                yield self._complete(*window.popleft())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _complete(self, batch: Batch, extraction: Future[tuple[list[Extracted], float]]) -> Batch:
        """Embed ``batch`` here (its extraction and the next ones run meanwhile), then collect its extraction."""
        if batch.to_embed:
            started = time.perf_counter()
            batch.embedded = self.encoder.encode([p.text for p in batch.to_embed])
            self.seconds["embed"] += time.perf_counter() - started
        batch.extracted, seconds = extraction.result()
        self.seconds["extract"] += seconds
        return batch


def open_engine(
    name: str,
    settings: Settings,
    encoder: DocumentEncoder,
    extractor: PaperExtractor | None,
    workers: int,
) -> Any:
    """The engine called ``name`` (``local`` or ``ray``)."""
    if name == "ray":
        from papergraph.ray_engine import RayEngine

        return RayEngine(settings, encoder=encoder, extractor=extractor)
    return LocalEngine(settings, encoder, extractor, workers)
