"""The ingest job: read -> extract -> embed -> store (graph, then vector index).

Only new or changed papers (by content hash) are extracted and embedded; both steps are cached by content hash,
so a re-run over unchanged files loads no model at all. The graph is written before the index is saved: if
anything fails, the saved index still describes the previous run and the next run redoes the difference.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import orjson
from pydantic import BaseModel, Field, ValidationError

from papergraph import __version__
from papergraph.atomic import atomic_write
from papergraph.config import Settings
from papergraph.corpus import read_corpus
from papergraph.embed import EmbeddingCache, Encoder, Vectors, text_key
from papergraph.errors import IndexNotFoundError
from papergraph.graph import GraphStore, open_store
from papergraph.index import VectorIndex
from papergraph.models import ExtractedPaper, Extraction, GraphStats, Paper

log = logging.getLogger(__name__)

GRAPH_BATCH = 256
EMBED_CHUNK = 128
STAGES = ("read", "extract", "embed", "graph", "index")


class Progress(Protocol):
    """What ingest tells a caller while it runs (the CLI draws progress bars from it)."""

    def start(self, stage: str, total: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def finish(self) -> None: ...


class _Silent:
    def start(self, stage: str, total: int) -> None:
        log.info("%s: %d papers", stage, total)

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


class IngestReport(BaseModel):
    """What an ingest did: counts, problems met, the graph afterwards, and seconds per stage."""

    files: int = 0
    records: int = 0
    papers: int = Field(0, description="Distinct papers read.")
    duplicates: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = Field(0, description="Unchanged papers already ingested.")
    bad: int = Field(0, description="Records reported and skipped.")
    issues: list[str] = Field(default_factory=list)
    extracted: dict[str, int] = Field(default_factory=dict, description="Mentions extracted, by entity type.")
    links_written: int = 0
    index_size: int = 0
    graph: GraphStats = Field(default_factory=GraphStats)
    seconds: dict[str, float] = Field(default_factory=dict)

    @property
    def papers_per_second(self) -> float:
        total = self.seconds.get("total", 0.0)
        return (self.added + self.updated) / total if total else 0.0


class _Timer:
    def __init__(self, report: IngestReport) -> None:
        self.report = report

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.report.seconds[stage] = round(self.report.seconds.get(stage, 0.0) + time.perf_counter() - t0, 3)


def extractor_fingerprint(settings: Settings) -> str:
    """Changes whenever extraction could give other results: its code, its data files, the spaCy model."""
    digest = hashlib.sha1(f"{__version__}|{settings.spacy_model}".encode())
    folder = Path(__file__).parent / "extract"
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".jsonl", ".json", ".txt", ".tsv", ".csv"}:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ExtractionCache:
    """Extractions by content hash for one extractor fingerprint: an append-only JSON-lines file."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.path = folder / "extractions" / f"{fingerprint}.jsonl"
        self._items: dict[str, bytes] = {}
        self._pending: list[bytes] = []
        if self.path.exists():
            with open(self.path, "rb") as fh:
                for line in fh:
                    key, _, payload = line.rstrip(b"\n").partition(b"\t")
                    if payload:
                        self._items[key.decode(errors="replace")] = payload

    def get(self, paper: Paper) -> Extraction | None:
        payload = self._items.get(paper.content_hash)
        if payload is None:
            return None
        try:
            extraction = Extraction.model_validate_json(payload)
        except ValidationError:  # a torn last line after a crash: that paper is extracted again
            return None
        return extraction.model_copy(update={"paper_id": paper.id})

    def put(self, paper: Paper, extraction: Extraction) -> None:
        payload = extraction.model_dump_json().encode()
        self._items[paper.content_hash] = payload
        self._pending.append(paper.content_hash.encode() + b"\t" + payload + b"\n")

    def save(self) -> None:
        if not self._pending:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as fh:
            fh.write(b"".join(self._pending))
        self._pending.clear()


class _IngestState:
    """Which extraction rules built the graph of a backend, so new rules re-extract every paper once."""

    FILE = "ingest-state.json"

    def __init__(self, settings: Settings) -> None:
        self.path = settings.data_dir / self.FILE
        self.key = settings.graph.value + (
            f":{settings.neo4j_uri}/{settings.neo4j_database or ''}"
            if settings.neo4j_uri and settings.graph.value == "neo4j"
            else ""
        )
        try:
            self.data: dict[str, dict[str, str]] = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            self.data = {}
        self.extractor = self.data.get(self.key, {}).get("extractor")

    def save(self) -> None:
        self.data[self.key] = {"extractor": self.extractor or ""}
        atomic_write(self.path, orjson.dumps(self.data, option=orjson.OPT_INDENT_2))


def _load_index(settings: Settings, encoder: Encoder, rebuild: bool) -> VectorIndex | None:
    if rebuild:
        return None
    try:
        return VectorIndex.load(settings.index_dir, model_id=encoder.model_id, **_index_options(settings))
    except IndexNotFoundError:
        return None


def _index_options(settings: Settings) -> dict[str, int]:
    return {
        "ann_threshold": settings.ann_threshold,
        "hnsw_m": settings.hnsw_m,
        "ef_search": settings.hnsw_ef_search,
    }


def _extract(papers: Sequence[Paper], settings: Settings, progress: Progress) -> dict[str, Extraction]:
    cache = ExtractionCache(settings.cache_dir, extractor_fingerprint(settings))
    out: dict[str, Extraction] = {}
    todo: list[Paper] = []
    for paper in papers:
        cached = cache.get(paper)
        if cached is None:
            todo.append(paper)
        else:
            out[paper.id] = cached
    progress.start("extract", len(papers))
    progress.advance(len(papers) - len(todo))
    if todo:
        from papergraph.extract import Extractor  # spaCy loads only when there is work

        extractor = Extractor(settings)
        for paper, extraction in zip(todo, extractor.extract(todo), strict=True):
            out[paper.id] = extraction
            cache.put(paper, extraction)
            progress.advance()
        cache.save()
    progress.finish()
    return out


def _embed(papers: Sequence[Paper], encoder: Encoder, settings: Settings, progress: Progress) -> Vectors | None:
    if not papers:
        return None
    cache = EmbeddingCache(settings.cache_dir, encoder.model_id)
    keys = [text_key(p.text) for p in papers]
    found = cache.get(keys)
    missing = [i for i, k in enumerate(keys) if k not in found]
    progress.start("embed", len(papers))
    progress.advance(len(papers) - len(missing))
    for lo in range(0, len(missing), EMBED_CHUNK):
        rows = missing[lo : lo + EMBED_CHUNK]
        vectors = encoder.encode([papers[i].text for i in rows])
        cache.put([keys[i] for i in rows], vectors)
        found.update(zip([keys[i] for i in rows], vectors, strict=True))
        progress.advance(len(rows))
    cache.save()
    progress.finish()
    import numpy as np

    return np.stack([found[k] for k in keys]).astype(np.float32)


def ingest(
    paths: Sequence[Path] | None = None,
    settings: Settings | None = None,
    *,
    store: GraphStore | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    fmt: str | None = None,
) -> IngestReport:
    """Ingest corpus files into the vector index and the graph; returns what was done."""
    from papergraph.config import get_settings

    settings = settings or get_settings()
    progress = progress or _Silent()
    report = IngestReport()
    timer = _Timer(report)
    t_start = time.perf_counter()
    paths = list(paths) if paths else settings.corpus_paths

    with timer("read"):
        papers, read = read_corpus(paths, fmt)
        report.files = read.files
        report.records, report.duplicates, report.papers = read.records, read.duplicates, len(papers)
        report.bad, report.issues = read.bad, [str(i) for i in read.issues]

    encoder = Encoder(settings)
    own_store = store is None
    store = store or open_store(settings)
    try:
        index = _load_index(settings, encoder, rebuild)
        changed = [p for p in papers if index is None or index.hashes.get(p.id) != p.content_hash]
        report.updated = sum(1 for p in changed if index is not None and p.id in index)
        report.added = len(changed) - report.updated
        report.skipped = len(papers) - len(changed)
        changed_ids = {p.id for p in changed}
        fingerprint = extractor_fingerprint(settings)
        state = _IngestState(settings)
        # new extraction rules: every paper's links are redone (extractions are cached per rule version)
        stale = state.extractor != fingerprint
        in_graph = store.paper_ids()
        for_graph = [p for p in papers if stale or p.id in changed_ids or p.id not in in_graph]

        with timer("extract"):
            extractions = _extract(for_graph, settings, progress) if for_graph else {}
        for extraction in (extractions[p.id] for p in changed):
            for kind in ("hardware", "techniques", "systems", "datasets", "metrics"):
                report.extracted[kind] = report.extracted.get(kind, 0) + len(getattr(extraction, kind))

        with timer("embed"):
            vectors = _embed(changed, encoder, settings, progress)

        with timer("graph"):
            progress.start("graph", len(for_graph))
            for lo in range(0, len(for_graph), GRAPH_BATCH):
                batch = [
                    ExtractedPaper(paper=p, extraction=extractions[p.id]) for p in for_graph[lo : lo + GRAPH_BATCH]
                ]
                report.links_written += store.upsert(batch).relationships
                progress.advance(len(batch))
            store.commit()
            state.extractor = fingerprint
            state.save()
            progress.finish()
            report.graph = store.stats()

        with timer("index"):
            if vectors is not None:
                index = index or VectorIndex(vectors.shape[1], encoder.model_id, **_index_options(settings))
                index.upsert(changed, vectors)
                index.save(settings.index_dir)
            report.index_size = len(index) if index is not None else 0
    finally:
        if own_store:
            store.close()
    report.seconds["total"] = round(time.perf_counter() - t_start, 3)
    log.info("ingest done: %s", orjson.dumps(report.model_dump(exclude={"issues"})).decode())
    return report


__all__ = ["STAGES", "IngestReport", "Progress", "extractor_fingerprint", "ingest"]
