"""The ingest job: read -> plan -> extract -> embed -> write the graph -> commit one generation.

One process writes a data directory at a time (:class:`~papergraph.atomic.WriterLock`). A run starts from
the committed generation, works out what changes (new and changed papers, papers the inputs no longer hold
with ``sync``, papers named for deletion), and writes everything that changes into a new generation folder:
the vector index, the paper store and, for the embedded store, the graph. Switching the manifest commits it
(:mod:`papergraph.atomic`); until then readers see the previous generation, and a run killed at any instant
leaves the previous generation or the new one, never a mix.

A Neo4j graph cannot join that commit: it is written before the switch, so a killed run may leave it ahead of
the index. Readers tolerate that (:class:`papergraph.graph.view.IndexedView`), ``papergraph stats`` reports
it, and the next run repairs it: the graph's papers and content hashes are compared with the committed
generation, and whatever differs is written again or removed.

Only new or changed papers cost model time: extractions and embeddings are cached by content hash, and both
caches are saved in checkpoints during the run, so a killed run redoes at most one checkpoint of model work.
A record that cannot be read or extracted is reported with its file and line and skipped; it never aborts
the run.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson
from pydantic import BaseModel, Field, ValidationError

from papergraph import __version__
from papergraph.atomic import Commit, CommitPoint, WriterLock, link_or_copy
from papergraph.config import GraphBackend, Settings
from papergraph.corpus import RecordLimits, read_corpus
from papergraph.embed import EmbeddingCache, Encoder, Vectors, text_key
from papergraph.errors import IndexMismatchError, IndexNotFoundError
from papergraph.graph import GraphStore, open_store
from papergraph.graph.networkx_store import GRAPH_FILE, NetworkxStore
from papergraph.index import VectorIndex
from papergraph.models import ExtractedPaper, Extraction, GraphStats, Paper, normalize_title

log = logging.getLogger(__name__)

GRAPH_BATCH = 256
EXTRACT_BATCH = 64
STAGES = ("read", "extract", "embed", "graph", "index", "commit")


# --------------------------------------------------------------------------------------------------
# What a caller sees and injects
# --------------------------------------------------------------------------------------------------


class Progress(Protocol):
    """What ingest tells a caller while it runs (the CLI draws progress bars from it)."""

    def start(self, stage: str, total: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def finish(self) -> None: ...


class DocumentEncoder(Protocol):
    """What ingest needs from an embedding model (``papergraph.embed.Encoder``; tests pass a fake)."""

    @property
    def model_id(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class PaperExtractor(Protocol):
    """What ingest needs from extraction (``papergraph.extract.Extractor``; tests pass a fake)."""

    def extract(self, papers: Iterable[Paper]) -> Iterator[Extraction]: ...


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
    graph: GraphStats = Field(default_factory=GraphStats)
    seconds: dict[str, float] = Field(default_factory=dict)

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

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.report.seconds[stage] = round(self.report.seconds.get(stage, 0.0) + time.perf_counter() - t0, 3)


# --------------------------------------------------------------------------------------------------
# Caches
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
        """Append what was added since the last save (a checkpoint)."""
        if not self._pending:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as fh:
            fh.write(b"".join(self._pending))
        self._pending.clear()


# --------------------------------------------------------------------------------------------------
# The state one run changes
# --------------------------------------------------------------------------------------------------


def default_extractor(settings: Settings) -> PaperExtractor:
    """The rule-based spaCy extractor (imported on first use: loading spaCy takes seconds)."""
    from papergraph.extract import Extractor

    return Extractor(settings)


def _index_options(settings: Settings) -> dict[str, int]:
    return {"ann_threshold": settings.ann_threshold, "hnsw_m": settings.hnsw_m, "ef_search": settings.hnsw_ef_search}


def _limits(settings: Settings) -> RecordLimits:
    return RecordLimits(max_title_chars=settings.max_title_chars, max_abstract_chars=settings.max_abstract_chars)


def neo4j_location(settings: Settings) -> str:
    """Which Neo4j graph a generation's ``neo4j`` part describes: server and database."""
    return f"{settings.neo4j_uri}/{settings.neo4j_database or ''}"


@dataclass
class _Plan:
    """What one run changes, worked out against the committed generation."""

    upserts: dict[str, Paper] = field(default_factory=dict)
    """New and changed papers (id -> the version to store)."""
    removed: set[str] = field(default_factory=set)
    """Stored papers that go: deleted, gone from the inputs (sync), or superseded under another id."""
    added: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    graph_upserts: list[Paper] = field(default_factory=list)
    graph_deletes: list[str] = field(default_factory=list)

    @property
    def index_changes(self) -> bool:
        return bool(self.upserts or self.removed)


class _Run:
    """The committed state, loaded under the writer lock, and the changes of one run on top of it."""

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
    ) -> None:
        self.settings = settings
        self.progress = progress
        self.report = report
        self.timer = _Timer(report)
        self.encoder: DocumentEncoder = encoder or Encoder(settings)
        self._extractor = extractor
        self.fingerprint = extractor_fingerprint(settings)
        self.failed = 0
        self.point = CommitPoint(settings.index_dir)
        self.point.clean()
        self.commit = self._committed()
        self.index = self._load_index(rebuild)
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

    # --- loading -----------------------------------------------------------------------------------
    def _committed(self) -> Commit | None:
        try:
            return self.point.current()
        except IndexMismatchError as exc:
            log.warning("%s; starting a new index (cached embeddings and extractions are reused)", exc)
            for legacy in (self.settings.data_dir / "graph" / GRAPH_FILE, self.settings.data_dir / "ingest-state.json"):
                legacy.unlink(missing_ok=True)  # the format-1 layout kept these outside the index folder
            return None

    def _load_index(self, rebuild: bool) -> VectorIndex | None:
        if rebuild or self.commit is None:
            return None
        try:
            model_id = self.encoder.model_id or None  # a delete embeds nothing and takes the index's model
            return VectorIndex.load_commit(self.commit, model_id, **_index_options(self.settings))
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

    @property
    def stored(self) -> dict[str, Paper]:
        return self.index.papers if self.index is not None else {}

    # --- planning ----------------------------------------------------------------------------------
    def plan_ingest(self, papers: Sequence[Paper], *, sync: bool) -> _Plan:
        """Changes that make the inputs' papers the newest versions (and, with ``sync``, the only ones)."""
        plan = _Plan()
        stored = self.stored
        by_title: dict[str, list[str]] = defaultdict(list)
        for pid, paper in stored.items():
            by_title[normalize_title(paper.title)].append(pid)
        superseded: set[str] = set()
        for paper in papers:
            same = ({paper.id} & stored.keys()) | set(by_title.get(normalize_title(paper.title), ()))
            superseded |= same - {paper.id}
            if not sync:  # the paper still comes from the files it was read from before
                sources = [s for pid in sorted(same) for s in stored[pid].sources]
                merged = list(dict.fromkeys([*sources, *paper.sources]))
                paper = paper.model_copy(update={"sources": merged})
            if stored.get(paper.id) != paper:
                plan.upserts[paper.id] = paper
                (plan.updated if same else plan.added).add(paper.id)
        inputs = {p.id for p in papers}
        gone = stored.keys() - inputs if sync else set()
        plan.removed = (superseded | gone) - inputs
        self.report.deleted = len(plan.removed - superseded)
        self._plan_graph(plan)
        return plan

    def plan_delete(self, ids: Sequence[str], report: DeleteReport) -> _Plan:
        plan = _Plan()
        for pid in dict.fromkeys(ids):
            (report.deleted if pid in self.stored else report.unknown).append(pid)
        plan.removed = set(report.deleted)
        self._plan_graph(plan)
        return plan

    def _plan_graph(self, plan: _Plan) -> None:
        """Graph writes: the plan's papers, plus whatever the graph holds that the new state does not."""
        final_ids = (self.stored.keys() - plan.removed) | plan.upserts.keys()
        with self.timer("graph"):
            hashes = self.store.paper_hashes()
        upserts: list[Paper] = []
        for pid in sorted(final_ids):
            paper = plan.upserts.get(pid) or self.stored[pid]
            if pid in plan.upserts or self.graph_stale or hashes.get(pid) != paper.content_hash:
                upserts.append(paper)
        plan.graph_upserts = upserts
        plan.graph_deletes = sorted(hashes.keys() - final_ids)
        if not self.graph_stale:
            rewritten = sum(p.id not in plan.upserts for p in upserts)
            self.report.repaired = rewritten + sum(pid not in plan.removed for pid in plan.graph_deletes)
        if self.report.repaired:
            log.warning("the graph differs from the index in %d papers: repairing", self.report.repaired)

    # --- extraction --------------------------------------------------------------------------------
    @property
    def extractor(self) -> PaperExtractor:
        if self._extractor is None:  # spaCy loads only when there is work
            self._extractor = default_extractor(self.settings)
        return self._extractor

    def _extract_batch(self, papers: Sequence[Paper]) -> list[Extraction | BaseException]:
        """Extractions of a batch; when the batch fails, each paper alone, so one bad paper costs only itself."""
        try:
            return list(self.extractor.extract(papers))
        except Exception:
            if len(papers) == 1:
                raise
        out: list[Extraction | BaseException] = []
        for paper in papers:
            try:
                out += list(self.extractor.extract([paper]))
            except Exception as exc:
                out.append(exc)
        return out

    def extract(self, plan: _Plan, origin: dict[str, str]) -> dict[str, Extraction]:
        """Extractions for the graph writes (cache first); papers whose extraction fails leave the plan."""
        cache = ExtractionCache(self.settings.cache_dir, self.fingerprint)
        out: dict[str, Extraction] = {}
        todo: list[Paper] = []
        for paper in plan.graph_upserts:
            cached = cache.get(paper)
            if cached is None:
                todo.append(paper)
            else:
                out[paper.id] = cached
        self.progress.start("extract", len(plan.graph_upserts))
        self.progress.advance(len(plan.graph_upserts) - len(todo))
        failed: set[str] = set()
        for lo in range(0, len(todo), EXTRACT_BATCH):
            batch = todo[lo : lo + EXTRACT_BATCH]
            for paper, result in zip(batch, self._extract_batch(batch), strict=True):
                if isinstance(result, BaseException):
                    failed.add(paper.id)
                    self._bad(paper, origin, f"extraction failed ({type(result).__name__}: {result}); paper skipped")
                else:
                    out[paper.id] = result
                    cache.put(paper, result)
            cache.save()  # a checkpoint: a killed run extracts this batch again at most
            self.progress.advance(len(batch))
        self.progress.finish()
        if failed:
            self._drop(plan, failed)
        self.failed = len(failed)
        for pid in plan.upserts:
            for kind in ("hardware", "techniques", "systems", "datasets", "metrics"):
                self.report.extracted[kind] = self.report.extracted.get(kind, 0) + len(getattr(out[pid], kind))
        return out

    def _bad(self, paper: Paper, origin: dict[str, str], message: str) -> None:
        where = origin.get(paper.id) or (paper.sources[-1] if paper.sources else paper.id)
        issue = f"{where}: {message}"
        log.warning("%s", issue)
        self.report.issues.append(issue)
        self.report.bad += 1

    def _drop(self, plan: _Plan, ids: set[str]) -> None:
        """Leave papers out of this run: a new one is not added, a changed one keeps its stored version."""
        for pid in ids:
            plan.upserts.pop(pid, None)
        plan.added -= ids
        plan.updated -= ids
        plan.graph_upserts = [p for p in plan.graph_upserts if p.id not in ids]

    # --- embedding ---------------------------------------------------------------------------------
    def embed(self, papers: Sequence[Paper]) -> Vectors | None:
        """Vectors of ``papers``: from the cache, from the index (same text stored), else from the model."""
        if not papers:
            return None
        cache = EmbeddingCache(self.settings.cache_dir, self.encoder.model_id)
        keys = [text_key(p.text) for p in papers]
        found = cache.get(keys)
        self._reuse_stored(papers, keys, found)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.progress.start("embed", len(papers))
        self.progress.advance(len(papers) - len(missing))
        step = max(1, self.settings.embed_checkpoint)
        for lo in range(0, len(missing), step):
            rows = missing[lo : lo + step]
            vectors = self.encoder.encode([papers[i].text for i in rows])
            cache.put([keys[i] for i in rows], vectors)
            cache.save()  # a checkpoint: a killed run redoes this much model work at most
            found.update(zip([keys[i] for i in rows], vectors, strict=True))
            self.progress.advance(len(rows))
        self.progress.finish()
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def _reuse_stored(self, papers: Sequence[Paper], keys: Sequence[str], found: dict[str, Vectors]) -> None:
        if self.index is None:
            return
        by_hash = {h: pid for pid, h in self.index.hashes.items()}
        for paper, key in zip(papers, keys, strict=True):
            pid = by_hash.get(paper.content_hash)
            if key not in found and pid is not None:
                found[key] = self.index.vectors([pid])[0]

    # --- writing -----------------------------------------------------------------------------------
    def write_graph(self, plan: _Plan, extractions: dict[str, Extraction]) -> None:
        papers = [p for p in plan.graph_upserts if p.id in extractions]
        self.progress.start("graph", len(papers) + len(plan.graph_deletes))
        if plan.graph_deletes:
            self.store.delete_papers(plan.graph_deletes)
            self.progress.advance(len(plan.graph_deletes))
        for lo in range(0, len(papers), GRAPH_BATCH):
            batch = [ExtractedPaper(paper=p, extraction=extractions[p.id]) for p in papers[lo : lo + GRAPH_BATCH]]
            self.report.links_written += self.store.upsert(batch).relationships
            self.progress.advance(len(batch))
        if not self.embedded:
            self.store.commit()
        self.progress.finish()

    def update_index(self, plan: _Plan, vectors: Vectors | None) -> None:
        if plan.removed and self.index is not None:
            self.index.remove(sorted(plan.removed))
        upserts = list(plan.upserts.values())
        if upserts and vectors is not None:
            if self.index is None:
                self.index = VectorIndex(vectors.shape[1], self.encoder.model_id, **_index_options(self.settings))
            self.index.upsert(upserts, vectors)

    def commit_generation(self, plan: _Plan, *, graph_changed: bool) -> int | None:
        """Write the new generation's files and switch the manifest to it; the generation committed."""
        parts = self._parts(plan, graph_changed)
        current = self.commit.manifest.get("parts") if self.commit else None
        graph_changed = graph_changed and self.embedded  # a server's graph changed already, outside the commit
        if not plan.index_changes and parts == current and not graph_changed:
            return self.commit.generation if self.commit else None
        if self.index is None:
            if self.commit is None:
                return None  # nothing stored and nothing to store
            dim = int((self.commit.part("index") or {}).get("dim", 0))
            self.index = VectorIndex(dim, self.encoder.model_id, **_index_options(self.settings))
        number, folder = self.point.begin()
        previous = self.commit.folder if self.commit else None
        if plan.index_changes or previous is None or self.commit is None or self.commit.part("index") is None:
            parts["index"] = self.index.save(folder)
        else:
            for name in parts["index"]["files"].values():
                link_or_copy(previous / name, folder / name)
        if "networkx" in parts:
            if self.embedded and (graph_changed or previous is None):
                assert isinstance(self.store, NetworkxStore)
                self.store.save(folder)
            elif previous is not None:
                link_or_copy(previous / GRAPH_FILE, folder / GRAPH_FILE)
        self.commit = self.point.commit(number, folder, parts, papers=len(self.index))
        self.point.clean()
        return number

    def _parts(self, plan: _Plan, graph_changed: bool) -> dict[str, Any]:
        """The new manifest's parts: the index, and the graph of each backend that matches it."""
        old = dict(self.commit.manifest.get("parts", {})) if self.commit else {}
        parts: dict[str, Any] = {}
        if self.index is not None:
            parts["index"] = old.get("index") if not plan.index_changes and "index" in old else self.index.manifest()
        if self.embedded:
            parts["networkx"] = {"file": GRAPH_FILE, "extractor": self.fingerprint}
        elif "networkx" in old and not plan.index_changes:
            parts["networkx"] = old["networkx"]  # the embedded graph still matches the papers
        if self.settings.graph is GraphBackend.NEO4J:
            parts["neo4j"] = {"location": neo4j_location(self.settings), "extractor": self.fingerprint}
        elif "neo4j" in old:
            parts["neo4j"] = old["neo4j"]  # the server's graph is compared and repaired on its next ingest
        return parts

    def close(self) -> None:
        if self.own_store:
            self.store.close()


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
) -> IngestReport:
    """Ingest corpus files into the index and the graph, committed as one new generation; what was done.

    ``sync`` removes stored papers the inputs do not hold; ``rebuild`` builds everything again from the
    inputs (also a sync; the caches still spare the model work). ``wait`` bounds the wait for another
    writer (None: as long as it takes; 0: fail at once with WriterBusyError).
    """
    from papergraph.config import get_settings

    settings = settings or get_settings()
    progress = progress or _Silent()
    report = IngestReport()
    timer = _Timer(report)
    t_start = time.perf_counter()
    paths = list(paths) if paths else settings.corpus_paths

    with writing(settings, wait):
        with timer("read"):
            papers, read = read_corpus(paths, fmt, _limits(settings))
            report.files, report.records, report.duplicates = read.files, read.records, read.duplicates
            report.papers, report.bad = len(papers), read.bad
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
        )
        try:
            plan = run.plan_ingest(papers, sync=sync or rebuild)
            with timer("extract"):
                extractions = run.extract(plan, read.origin)
            with timer("embed"):
                vectors = run.embed(list(plan.upserts.values()))
            with timer("graph"):
                run.write_graph(plan, extractions)
            with timer("index"):
                run.update_index(plan, vectors)
            with timer("commit"):
                graph_changed = bool(plan.graph_upserts or plan.graph_deletes) or run.graph_stale
                report.generation = run.commit_generation(plan, graph_changed=graph_changed)
            report.added, report.updated = len(plan.added), len(plan.updated)
            report.skipped = len(papers) - report.added - report.updated - run.failed
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
            plan = run.plan_delete(paper_ids, report)
            extractions = run.extract(plan, {})  # only a graph that fell behind needs any (cached)
            run.write_graph(plan, extractions)
            run.update_index(plan, None)
            graph_changed = bool(plan.graph_deletes) or run.graph_stale
            report.generation = run.commit_generation(plan, graph_changed=graph_changed)
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
