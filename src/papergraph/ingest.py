"""The ingest job: scan -> plan a batch -> extract and embed it -> write it -> ... -> commit one generation.

Memory stays flat as the corpus grows: the files are read twice (:mod:`papergraph.corpus.ledger`: the first pass
keeps identities, the second yields the newest version of each paper), and papers flow through in batches of
``embed_checkpoint``: each batch is planned against the committed generation, its model work is done by an engine
(:mod:`papergraph.pipeline`: in this process with extraction overlapped, in worker processes, or on Ray), and
its results go to the caches, the graph, the vector index and the paper store of the generation being written.

One process writes a data directory at a time (:class:`~papergraph.atomic.WriterLock`). A run starts from the
committed generation, works out what changes (new and changed papers, papers the inputs no longer hold with
``sync``, papers named for deletion), and writes everything that changes into a new generation folder: the vector
index, the paper store, BM25 and, for the embedded store, the graph. Switching the manifest commits it
(:mod:`papergraph.atomic`); until then readers see the previous generation, and a run killed at any instant
leaves the previous generation or the new one, never a mix.

A Neo4j graph cannot join that commit: it is written before the switch, so a killed run may leave it ahead of
the index. Readers tolerate that (:class:`papergraph.graph.view.IndexedView`), ``papergraph stats`` reports
it, and the next run repairs it: the graph's papers and content hashes are compared with the committed
generation, and whatever differs is written again or removed.

Only new or changed papers cost model time: extractions and embeddings are cached by content hash, and both
caches are saved after every batch, so a killed run redoes at most one batch of model work. A record that cannot
be read or extracted is reported with its file and line and skipped; it never aborts the run.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson
from pydantic import BaseModel, Field, ValidationError

from papergraph import __version__
from papergraph.atomic import Commit, CommitPoint, WriterLock, link_or_copy, remove_old_layout
from papergraph.config import GraphBackend, IngestEngine, Settings
from papergraph.corpus import Ledger, RecordLimits, scan, stream
from papergraph.embed import EmbeddingCache, Encoder, Vectors, text_key
from papergraph.errors import IndexMismatchError, IndexNotFoundError
from papergraph.graph import GraphStore, open_store
from papergraph.graph.networkx_store import GRAPH_FILE, NetworkxStore
from papergraph.index import LexicalIndex, VectorIndex, index_options
from papergraph.index.paper_store import PaperStore
from papergraph.models import ExtractedPaper, Extraction, GraphStats, Paper, normalize_title
from papergraph.pipeline import Batch, DocumentEncoder, Engine, PaperExtractor, open_engine
from papergraph.tables import checkpoint, open_cache, select_in

log = logging.getLogger(__name__)

PLAN_CHUNK = 1000
"""Input papers looked up in the committed paper store at once."""
STAGES = ("read", "plan", "extract", "embed", "graph", "index", "commit")


# --------------------------------------------------------------------------------------------------
# What a caller sees and injects
# --------------------------------------------------------------------------------------------------


class Progress(Protocol):
    """What ingest tells a caller while it runs (the CLI draws progress bars from it; ``total`` None: unknown)."""

    def start(self, stage: str, total: int | None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def finish(self) -> None: ...


class _Silent:
    def start(self, stage: str, total: int | None) -> None:
        log.info("%s: %s papers", stage, "?" if total is None else total)

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
    updated: int = Field(0, description="Papers whose text or metadata changed (the newest version wins).")
    skipped: int = Field(0, description="Unchanged papers already ingested.")
    deleted: int = Field(0, description="Papers removed (--sync: not in the inputs any more).")
    bad: int = Field(0, description="Records reported and skipped.")
    issues: list[str] = Field(default_factory=list, description="Skipped records, as file:line: reason.")
    warnings: list[str] = Field(default_factory=list, description="Records kept with a change (a cut abstract).")
    extracted: dict[str, int] = Field(default_factory=dict, description="Mentions extracted, by entity type.")
    links_written: int = 0
    repaired: int = Field(0, description="Graph papers written again or removed to match the index.")
    index_size: int = 0
    generation: int | None = Field(None, description="The committed generation after the run.")
    engine: str = Field("local", description="Where extraction and embedding ran: local or ray.")
    graph: GraphStats = Field(default_factory=GraphStats)
    seconds: dict[str, float] = Field(
        default_factory=dict,
        description="Seconds per stage; extract and embed overlap (their sum can exceed the total).",
    )

    @property
    def papers_per_second(self) -> float:
        total = self.seconds.get("total", 0.0)
        return (self.added + self.updated) / total if total else 0.0


class DeleteReport(BaseModel):
    """What a delete did."""

    deleted: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list, description="Ids that named no stored paper.")
    papers: int = Field(0, description="Papers stored afterwards.")
    generation: int | None = None


class _Timer:
    def __init__(self, report: IngestReport) -> None:
        self.report = report

    def add(self, stage: str, seconds: float) -> None:
        self.report.seconds[stage] = round(self.report.seconds.get(stage, 0.0) + seconds, 3)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - t0)


# --------------------------------------------------------------------------------------------------
# Extraction cache
# --------------------------------------------------------------------------------------------------


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
    """Extractions by content hash for one extractor fingerprint, in SQLite (read a batch at a time).

    ``<cache>/extractions/<fingerprint>.sqlite``; a cache of the first layout (``<fingerprint>.jsonl``) is imported.
    """

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.path = folder / "extractions" / f"{fingerprint}.sqlite"
        self._conn = open_cache(self.path)
        self._conn.execute("CREATE TABLE IF NOT EXISTS extractions (hash TEXT PRIMARY KEY, payload BLOB NOT NULL)")
        self._import(self.path.with_suffix(".jsonl"))

    def get_many(self, papers: Sequence[Paper]) -> dict[str, Extraction]:
        """Cached extractions of ``papers``, by paper id."""
        by_hash: dict[str, list[Paper]] = {}
        for paper in papers:
            by_hash.setdefault(paper.content_hash, []).append(paper)
        out: dict[str, Extraction] = {}
        rows = select_in(self._conn, "SELECT hash, payload FROM extractions WHERE hash IN ({})", list(by_hash))
        for h, payload in rows:
            try:
                extraction = Extraction.model_validate_json(payload)  # type: ignore[arg-type]
            except ValidationError:  # written by an older model of Extraction: extracted again
                continue
            for paper in by_hash[str(h)]:
                out[paper.id] = extraction.model_copy(update={"paper_id": paper.id})
        return out

    def put(self, paper: Paper, extraction: Extraction) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO extractions VALUES (?, ?)", (paper.content_hash, extraction.model_dump_json())
        )

    def save(self) -> None:
        """Commit what was added since the last save (a checkpoint)."""
        checkpoint(self._conn)

    def close(self) -> None:
        self._conn.close()

    def _import(self, legacy: Path) -> None:
        if not legacy.exists():
            return
        with open(legacy, "rb") as fh:
            for line in fh:
                key, _, payload = line.rstrip(b"\n").partition(b"\t")
                if payload:
                    self._conn.execute("INSERT OR REPLACE INTO extractions VALUES (?, ?)", (key.decode(), payload))
        checkpoint(self._conn)
        legacy.unlink()
        log.info("imported the extraction cache %s into %s", legacy, self.path)


# --------------------------------------------------------------------------------------------------
# The state one run changes
# --------------------------------------------------------------------------------------------------


def _limits(settings: Settings) -> RecordLimits:
    return RecordLimits(max_title_chars=settings.max_title_chars, max_abstract_chars=settings.max_abstract_chars)


def neo4j_location(settings: Settings) -> str:
    """Which Neo4j graph a generation's ``neo4j`` part describes: server and database."""
    return f"{settings.neo4j_uri}/{settings.neo4j_database or ''}"


class _Run:
    """The committed state, loaded under the writer lock, and the changes of one run on top of it.

    Planning reads the committed generation (``self.stored``, never changed); writing goes to the generation
    being written (``self.index`` and its draft paper store, the graph store).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        store: GraphStore | None,
        encoder: DocumentEncoder | None,
        extractor: PaperExtractor | None,
        progress: Progress,
        report: IngestReport,
        rebuild: bool = False,
        engine: str = "local",
        workers: int = 0,
    ) -> None:
        self.settings = settings
        self.progress = progress
        self.report = report
        self.timer = _Timer(report)
        self.encoder: DocumentEncoder = encoder or Encoder(settings)
        self.engine: Engine = open_engine(engine, settings, self.encoder, extractor, workers)
        self.fingerprint = extractor_fingerprint(settings)
        self.point = CommitPoint(settings.index_dir)
        self.point.clean()
        remove_old_layout(settings.data_dir)
        self.commit = self._committed()
        self.index = self._load_index(rebuild)
        self.stored: PaperStore | None = self.index.store if self.index is not None else None
        self.folder: Path | None = None  # the generation being written, once something changes
        self.number = 0
        self.own_store = store is None
        self.graph_stale = rebuild or not self._graph_current()
        if store is not None:
            self.store = store
        elif settings.graph is GraphBackend.NETWORKX:
            keep = self.commit is not None and not self.graph_stale
            self.store = NetworkxStore(self.commit.folder if keep and self.commit else None)
        else:
            self.store = open_store(settings)
        self.embedded = isinstance(self.store, NetworkxStore)
        self.extractions = ExtractionCache(settings.cache_dir, self.fingerprint)
        self.embeddings: EmbeddingCache | None = None  # opened on the first paper to embed (needs the model id)
        with self.timer("graph"):
            self.graph_hashes = self.store.paper_hashes()
        # what the run changes, by id (identities only: the papers themselves flow through in batches)
        self.superseded: set[str] = set()
        self.removed: set[str] = set()
        self.failed: set[str] = set()
        self.rewritten = 0  # graph records written again for papers whose stored version did not change
        self.graph_deletes: list[str] = []
        self.index_changed = False
        self.graph_changed = False

    # --- loading -----------------------------------------------------------------------------------
    def _committed(self) -> Commit | None:
        try:
            return self.point.current()
        except IndexMismatchError as exc:
            log.warning("%s; starting a new index (cached embeddings and extractions are reused)", exc)
            return None

    def _load_index(self, rebuild: bool) -> VectorIndex | None:
        if rebuild or self.commit is None:
            return None
        try:
            model_id = self.encoder.model_id or None  # a delete embeds nothing and takes the index's model
            return VectorIndex.load_commit(self.commit, model_id, **index_options(self.settings))
        except IndexNotFoundError as exc:
            log.warning("%s; starting a new index", exc)
            return None

    def _graph_part(self) -> dict[str, Any] | None:
        if self.commit is None:
            return None
        return self.commit.part("networkx" if self.settings.graph is GraphBackend.NETWORKX else "neo4j")

    def _graph_current(self) -> bool:
        """Was the graph of this backend built by the current extraction rules (and, for Neo4j, this server)?"""
        part = self._graph_part()
        if part is None or part.get("extractor") != self.fingerprint:
            return False
        return self.settings.graph is GraphBackend.NETWORKX or part.get("location") == neo4j_location(self.settings)

    def is_stored(self, paper_id: str) -> bool:
        """In the committed generation (upserts of this run add only ids of the inputs)."""
        return self.index is not None and paper_id in self.index and paper_id not in self.removed

    # --- planning ----------------------------------------------------------------------------------
    def plan_ingest(self, inputs: Iterator[tuple[Paper, str]], ledger: Ledger, *, sync: bool) -> Iterator[Batch]:
        """Batches of work that make the inputs' papers the newest versions (and, with ``sync``, the only ones)."""
        batches = _Batcher(self.settings.embed_checkpoint)
        chunk: list[tuple[Paper, str]] = []
        for item in inputs:
            chunk.append(item)
            if len(chunk) == PLAN_CHUNK:
                yield from batches.add(self.plan_batch(chunk, sync=sync))
                chunk = []
        yield from batches.add(self.plan_batch(chunk, sync=sync))
        gone = {pid for pid, _ in self._stored_hashes() if pid not in ledger} if sync else set()
        self.removed = {pid for pid in self.superseded | gone if pid not in ledger}
        self.report.deleted = len(self.removed - self.superseded)
        # with sync every stored paper is an input or removed: no stored paper is left to repair
        yield from batches.add(self.plan_repairs(ledger, stored=not sync))
        yield from batches.flush()

    def plan_delete(self, ids: Sequence[str], report: DeleteReport) -> Iterator[Batch]:
        for pid in dict.fromkeys(ids):
            (report.deleted if self.index is not None and pid in self.index else report.unknown).append(pid)
        self.removed = set(report.deleted)
        batches = _Batcher(self.settings.embed_checkpoint)
        yield from batches.add(self.plan_repairs(Ledger()))
        yield from batches.flush()

    def _stored_hashes(self) -> Iterator[tuple[str, str]]:
        return self.stored.hashes() if self.stored is not None else iter(())

    def plan_batch(self, chunk: Sequence[tuple[Paper, str]], *, sync: bool) -> Batch:
        """Compare a chunk of input papers with their stored versions (by id and by title key)."""
        batch = Batch(0)
        stored, by_title = self._stored_versions([p for p, _ in chunk])
        unchanged = 0
        for paper, origin in chunk:
            same = ({paper.id} & stored.keys()) | set(by_title.get(normalize_title(paper.title), ()))
            self.superseded |= same - {paper.id}
            if not sync:  # the paper still comes from the files it was read from before
                sources = [s for pid in sorted(same) for s in stored[pid].sources if pid in stored]
                merged = list(dict.fromkeys([*sources, *paper.sources]))
                paper = paper.model_copy(update={"sources": merged})
            batch.origin[paper.id] = origin
            changed = stored.get(paper.id) != paper
            if changed:
                batch.upserts.append(paper)
                if not same:
                    batch.added.add(paper.id)
            if self._graph_needs(paper, changed=changed):
                batch.graph.append(paper)
            else:
                unchanged += 1
        self.progress.advance(unchanged)  # nothing to do for these
        return batch

    def _stored_versions(self, papers: Sequence[Paper]) -> tuple[dict[str, Paper], dict[str, list[str]]]:
        """Stored papers with the ids of ``papers`` or sharing their title keys; stored ids by title key."""
        if self.stored is None or not papers:
            return {}, {}
        by_title = self.stored.ids_by_title_key([normalize_title(p.title) for p in papers])
        ids = {p.id for p in papers} | {pid for ids in by_title.values() for pid in ids}
        return self.stored.get_many(sorted(ids)), by_title

    def _graph_needs(self, paper: Paper, *, changed: bool) -> bool:
        return changed or self.graph_stale or self.graph_hashes.get(paper.id) != paper.content_hash

    def plan_repairs(self, ledger: Ledger, *, stored: bool = True) -> Iterator[Batch]:
        """Stored papers the inputs do not hold whose graph record is missing or stale; the graph's extra papers.

        ``stored=False`` skips the pass over the stored papers (when the caller knows none can need a repair).
        """
        todo: list[str] = []
        for pid, content_hash in self._stored_hashes() if stored else ():
            if pid in ledger or pid in self.removed:
                continue
            if self.graph_stale or self.graph_hashes.get(pid) != content_hash:
                todo.append(pid)
                if len(todo) == PLAN_CHUNK:
                    yield self._repair_batch(todo)
                    todo = []
        if todo:
            yield self._repair_batch(todo)
        self.graph_deletes = sorted(pid for pid in self.graph_hashes if pid not in ledger and not self.is_stored(pid))

    def _repair_batch(self, ids: list[str]) -> Batch:
        assert self.stored is not None
        papers = self.stored.get_many(ids)
        return Batch(0, graph=[papers[pid] for pid in ids])

    # --- model work --------------------------------------------------------------------------------
    def prepare(self, batch: Batch) -> Batch:
        """Take what the caches (and the stored index) already know; the rest is the engine's work."""
        with self.timer("plan"):
            batch.extractions = self.extractions.get_many(batch.graph)
            batch.to_extract = [p for p in batch.graph if p.id not in batch.extractions]
            if batch.upserts:
                keys = [text_key(p.text) for p in batch.upserts]
                batch.vectors = self._embedding_cache().get(keys)
                self._reuse_stored(batch.upserts, keys, batch.vectors)
                batch.to_embed = [p for p, k in zip(batch.upserts, keys, strict=True) if k not in batch.vectors]
        return batch

    def _embedding_cache(self) -> EmbeddingCache:
        if self.embeddings is None:
            self.embeddings = EmbeddingCache(self.settings.cache_dir, self.encoder.model_id)
        return self.embeddings

    def _reuse_stored(self, papers: Sequence[Paper], keys: Sequence[str], found: dict[str, Vectors]) -> None:
        """Vectors the committed index holds for the same text (a paper that changed only its id or metadata)."""
        if self.index is None or self.stored is None:
            return
        missing = [(p, k) for p, k in zip(papers, keys, strict=True) if k not in found]
        by_hash = self.stored.ids_by_hash([p.content_hash for p, _ in missing]) if missing else {}
        reused: dict[str, str] = {}  # text key -> stored paper id
        for paper, key in missing:
            pid = by_hash.get(paper.content_hash)
            if pid is not None and pid in self.index:
                reused[key] = pid
        if reused:  # one read of the stored vectors for the whole batch
            found.update(zip(reused, self.index.vectors(list(reused.values())), strict=True))

    def take_extractions(self, batch: Batch) -> None:
        """The engine's extractions into the batch and the cache; papers whose extraction failed leave the run."""
        for paper, result in zip(batch.to_extract, batch.extracted, strict=True):
            if isinstance(result, str):
                self._bad(paper, batch.origin, f"extraction failed ({result}); paper skipped")
                self._drop(batch, paper.id)
            else:
                extraction = result.model_copy(update={"paper_id": paper.id})
                batch.extractions[paper.id] = extraction
                self.extractions.put(paper, extraction)
        self.extractions.save()  # a checkpoint: a killed run extracts this batch again at most
        for paper in batch.upserts:
            extraction = batch.extractions[paper.id]
            for kind in ("hardware", "techniques", "systems", "datasets", "metrics"):
                self.report.extracted[kind] = self.report.extracted.get(kind, 0) + len(getattr(extraction, kind))

    def take_vectors(self, batch: Batch) -> None:
        """The engine's vectors into the batch and the cache."""
        if batch.embedded is None or not batch.to_embed:
            return
        keys = [text_key(p.text) for p in batch.to_embed]
        cache = self._embedding_cache()
        cache.put(keys, batch.embedded)
        cache.save()  # a checkpoint: a killed run redoes this much model work at most
        batch.vectors.update(zip(keys, batch.embedded, strict=True))

    def _bad(self, paper: Paper, origin: dict[str, str], message: str) -> None:
        where = origin.get(paper.id) or (paper.sources[-1] if paper.sources else paper.id)
        issue = f"{where}: {message}"
        log.warning("%s", issue)
        self.report.issues.append(issue)
        self.report.bad += 1

    def _drop(self, batch: Batch, paper_id: str) -> None:
        """Leave a paper out of this run: a new one is not added, a changed one keeps its stored version."""
        self.failed.add(paper_id)
        batch.upserts = [p for p in batch.upserts if p.id != paper_id]
        batch.added.discard(paper_id)
        batch.graph = [p for p in batch.graph if p.id != paper_id]

    # --- writing -----------------------------------------------------------------------------------
    def write_graph(self, batch: Batch) -> None:
        if not batch.graph:
            return
        docs = [ExtractedPaper(paper=p, extraction=batch.extractions[p.id]) for p in batch.graph]
        self.report.links_written += self.store.upsert(docs).relationships
        upserts = {p.id for p in batch.upserts}
        self.rewritten += sum(p.id not in upserts for p in batch.graph)
        self.graph_changed = True

    def update_index(self, batch: Batch) -> None:
        if not batch.upserts:
            return
        vectors = np.stack([batch.vectors[text_key(p.text)] for p in batch.upserts]).astype(np.float32)
        if self.index is None:
            self.index = VectorIndex(vectors.shape[1], self.encoder.model_id, **index_options(self.settings))
        self._draft()
        self.index.upsert(batch.upserts, vectors)
        self.report.added += len(batch.added)
        self.report.updated += len(batch.upserts) - len(batch.added)

    def _draft(self) -> None:
        """Start the new generation (once): its folder, and the paper store moved into it."""
        assert self.index is not None
        if self.folder is None:
            self.number, self.folder = self.point.begin()
            self.index.attach(self.folder)
        self.index_changed = True

    def finish_removals(self) -> None:
        """Remove what the inputs superseded or no longer hold, from the graph and the index."""
        if self.graph_deletes:
            self.store.delete_papers(self.graph_deletes)
            self.graph_changed = True
        if self.removed and self.index is not None:
            self._draft()
            self.index.remove(sorted(self.removed))
        if not self.embedded:
            self.store.commit()
        if not self.graph_stale:
            self.report.repaired = self.rewritten + sum(pid not in self.removed for pid in self.graph_deletes)
        if self.report.repaired:
            log.warning("the graph differed from the index in %d papers: repaired", self.report.repaired)

    def commit_generation(self) -> int | None:
        """Write the new generation's files and switch the manifest to it; the generation committed."""
        graph_changed = (self.graph_changed or self.graph_stale) and self.embedded  # a server's graph is written
        parts = self._parts()
        current = self.commit.manifest.get("parts") if self.commit else None
        if not self.index_changed and parts == current and not graph_changed:
            return self.commit.generation if self.commit else None
        if self.index is None:
            if self.commit is None:
                return None  # nothing stored and nothing to store
            dim = int((self.commit.part("index") or {}).get("dim", 0))
            self.index = VectorIndex(dim, self.encoder.model_id, **index_options(self.settings))
        if self.folder is None:
            self.number, self.folder = self.point.begin()
        number = self.number
        previous = self.commit.folder if self.commit else None
        if self.index_changed or previous is None or self.commit is None or self.commit.part("index") is None:
            parts["index"] = self.index.save(self.folder)
        else:
            for name in parts["index"]["files"].values():
                link_or_copy(previous / name, self.folder / name)
        parts["bm25"] = self._save_bm25(previous)
        if "networkx" in parts:
            if self.embedded and (graph_changed or previous is None):
                assert isinstance(self.store, NetworkxStore)
                self.store.save(self.folder)
            elif previous is not None:
                link_or_copy(previous / GRAPH_FILE, self.folder / GRAPH_FILE)
        self.commit = self.point.commit(number, self.folder, parts, papers=len(self.index))
        self.point.clean()
        return number

    def _save_bm25(self, previous: Path | None) -> dict[str, Any]:
        """BM25 over the new generation's papers: built again when they changed, else shared with the previous."""
        old = self.commit.part("bm25") if self.commit else None
        assert self.index is not None and self.folder is not None
        if not self.index_changed and old is not None and previous is not None:
            LexicalIndex.link(previous, self.folder, old)
            return old
        with self.timer("bm25"):
            return LexicalIndex.build(self.index.papers.stream()).save(self.folder)

    def _parts(self) -> dict[str, Any]:
        """The new manifest's parts: the index, BM25, and the graph of each backend that matches the index."""
        old = dict(self.commit.manifest.get("parts", {})) if self.commit else {}
        parts: dict[str, Any] = {}
        if self.index is not None:
            parts["index"] = old.get("index") if not self.index_changed and "index" in old else self.index.manifest()
        if "bm25" in old and not self.index_changed:
            parts["bm25"] = old["bm25"]
        if self.embedded:
            parts["networkx"] = {"file": GRAPH_FILE, "extractor": self.fingerprint}
        elif "networkx" in old and not self.index_changed:
            parts["networkx"] = old["networkx"]  # the embedded graph still matches the papers
        if self.settings.graph is GraphBackend.NEO4J:
            parts["neo4j"] = {"location": neo4j_location(self.settings), "extractor": self.fingerprint}
        elif "neo4j" in old:
            parts["neo4j"] = old["neo4j"]  # the server's graph is compared and repaired on its next ingest
        return parts

    # --- the whole run -----------------------------------------------------------------------------
    def execute(self, batches: Iterator[Batch]) -> None:
        """Every batch through the engine, its results written; then removals and the commit."""
        self.progress.start("ingest", self.report.papers or None)
        for batch in self.engine.run(self.prepare(b) for b in batches):
            with self.timer("write"):
                self.take_extractions(batch)
                self.take_vectors(batch)
            with self.timer("graph"):
                self.write_graph(batch)
            with self.timer("index"):
                self.update_index(batch)
            self.progress.advance(batch.size)
        self.progress.finish()
        for stage, seconds in self.engine.seconds.items():
            self.timer.add(stage, seconds)
        with self.timer("graph"):
            self.finish_removals()
        with self.timer("commit"):
            self.report.generation = self.commit_generation()

    def close(self) -> None:
        self.extractions.close()
        if self.embeddings is not None:
            self.embeddings.close()
        if self.own_store:
            self.store.close()


class _Batcher:
    """Regroups planned work into batches of ``size`` papers (unchanged papers take no room)."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.number = 0
        self.count = 0  # distinct papers in the current batch
        self.current = Batch(0)

    def add(self, planned: Batch | Iterable[Batch]) -> Iterator[Batch]:
        for part in [planned] if isinstance(planned, Batch) else planned:
            upserts = {p.id: p for p in part.upserts}
            graph = {p.id: p for p in part.graph}
            for pid in dict.fromkeys([*upserts, *graph]):
                if pid in upserts:
                    self.current.upserts.append(upserts[pid])
                    if pid in part.added:
                        self.current.added.add(pid)
                if pid in graph:
                    self.current.graph.append(graph[pid])
                if pid in part.origin:
                    self.current.origin[pid] = part.origin[pid]
                self.count += 1
                if self.count >= self.size:
                    yield self._emit()

    def flush(self) -> Iterator[Batch]:
        if self.count:
            yield self._emit()

    def _emit(self) -> Batch:
        batch, self.current, self.count = self.current, Batch(0), 0
        self.number += 1
        batch.number = self.number
        return batch


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------


@contextmanager
def writing(settings: Settings, wait: float | None) -> Iterator[None]:
    """Hold the data directory's writer lock (``wait`` seconds at most; None waits as long as it takes)."""
    lock = WriterLock(settings.data_dir)
    with lock.held(wait):
        yield


def ingest(
    paths: Sequence[Path] | None = None,
    settings: Settings | None = None,
    *,
    store: GraphStore | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    sync: bool = False,
    fmt: str | None = None,
    wait: float | None = None,
    encoder: DocumentEncoder | None = None,
    extractor: PaperExtractor | None = None,
    engine: IngestEngine | str | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Ingest corpus files into the index and the graph, committed as one new generation; what was done.

    ``sync`` removes stored papers the inputs do not hold; ``rebuild`` builds everything again from the
    inputs (also a sync; the caches still spare the model work). ``wait`` bounds the wait for another
    writer (None: as long as it takes; 0: fail at once with WriterBusyError). ``engine`` (``local`` or ``ray``)
    and ``workers`` (extraction processes of the local engine) default to the settings.
    """
    from papergraph.config import get_settings

    settings = settings or get_settings()
    progress = progress or _Silent()
    report = IngestReport(engine=IngestEngine(engine or settings.ingest_engine).value)
    timer = _Timer(report)
    t_start = time.perf_counter()
    paths = list(paths) if paths else settings.corpus_paths

    with writing(settings, wait):
        with timer("read"):
            progress.start("read", None)
            ledger, read = scan(paths, fmt, _limits(settings), tick=progress.advance)
            progress.finish()
            report.files, report.records, report.duplicates = read.files, read.records, read.duplicates
            report.papers, report.bad = len(ledger), read.bad
            report.issues = [str(i) for i in read.issues]
            report.warnings = [str(i) for i in read.warnings]
        run = _Run(
            settings,
            store=store,
            encoder=encoder,
            extractor=extractor,
            progress=progress,
            report=report,
            rebuild=rebuild,
            engine=report.engine,
            workers=settings.ingest_workers if workers is None else workers,
        )
        try:
            inputs = stream(ledger, fmt, _limits(settings))
            run.execute(run.plan_ingest(inputs, ledger, sync=sync or rebuild))
            report.skipped = report.papers - report.added - report.updated - len(run.failed)
            report.graph = run.store.stats()
            report.index_size = len(run.index) if run.index is not None else 0
        finally:
            run.close()
    report.seconds["total"] = round(time.perf_counter() - t_start, 3)
    log.info("ingest done: %s", orjson.dumps(report.model_dump(exclude={"issues", "warnings"})).decode())
    return report


def delete(
    paper_ids: Sequence[str],
    settings: Settings | None = None,
    *,
    store: GraphStore | None = None,
    wait: float | None = None,
) -> DeleteReport:
    """Remove papers from the index and the graph, committed as one new generation."""
    from papergraph.config import get_settings

    settings = settings or get_settings()
    report = DeleteReport()
    with writing(settings, wait):
        run = _Run(settings, store=store, encoder=_Unused(), extractor=None, progress=_Silent(), report=IngestReport())
        try:
            if run.commit is None:
                raise IndexNotFoundError(f"no index in {settings.index_dir}: nothing to delete")
            run.execute(run.plan_delete(paper_ids, report))  # only a graph that fell behind needs extractions
            report.generation = run.report.generation
            report.papers = len(run.index) if run.index is not None else 0
        finally:
            run.close()
    log.info("deleted %d papers (%d unknown ids)", len(report.deleted), len(report.unknown))
    return report


class Consistency(BaseModel):
    """Do the index and the graph hold the same papers (ids and content)?"""

    agree: bool = True
    only_in_index: int = 0
    only_in_graph: int = 0
    different: int = Field(0, description="Papers in both whose text differs.")
    examples: list[str] = Field(default_factory=list, description="A few of the ids that differ.")


class StoreStatus(BaseModel):
    """What ``papergraph stats`` shows: the index, the graph, and whether they agree."""

    index: dict[str, Any] = Field(default_factory=dict)
    graph_backend: str
    graph: GraphStats
    consistency: Consistency


def status(settings: Settings) -> StoreStatus:
    """Counts of the committed generation and the graph, and any difference between them (loads no model)."""
    commit = CommitPoint(settings.index_dir).current()
    part = (commit.part("index") if commit else None) or {}
    hashes = VectorIndex.stored_hashes(commit) if commit else {}
    store = open_store(settings, commit.folder if commit else None)
    try:
        graph = store.stats()
        graph_hashes = store.paper_hashes()
    finally:
        store.close()
    only_index = sorted(hashes.keys() - graph_hashes.keys())
    only_graph = sorted(graph_hashes.keys() - hashes.keys())
    different = sorted(pid for pid in hashes.keys() & graph_hashes.keys() if hashes[pid] != graph_hashes[pid])
    consistency = Consistency(
        agree=not (only_index or only_graph or different),
        only_in_index=len(only_index),
        only_in_graph=len(only_graph),
        different=len(different),
        examples=(only_index + only_graph + different)[:10],
    )
    return StoreStatus(
        index={k: part.get(k) for k in ("count", "kind", "model", "dim")},
        graph_backend=settings.graph.value,
        graph=graph,
        consistency=consistency,
    )


class _Unused:
    """The encoder of a run that embeds nothing (a delete): only its model id is read, from the index."""

    def __init__(self) -> None:
        self._model_id: str | None = None

    @property
    def model_id(self) -> str:
        return self._model_id or ""

    def encode(self, texts: Sequence[str]) -> Vectors:
        raise AssertionError("a delete embeds nothing")


__all__ = [
    "STAGES",
    "DeleteReport",
    "DocumentEncoder",
    "IngestReport",
    "PaperExtractor",
    "Progress",
    "delete",
    "extractor_fingerprint",
    "ingest",
    "status",
]
