"""Everything a query needs, loaded once: the model, the vector index, BM25, the graph.

The API builds one Engine in its lifespan and the CLI builds one per command, so both run the same code path.
Requests read little from disk: the vector index and (for the embedded store) the graph are in memory, BM25 is
memory-mapped, and the papers of a result are read from the generation's paper store (SQLite).
An Engine serves one committed generation of the data directory (index and embedded graph read from the
same generation); ``serve`` loads the next one beside it and switches (``Engine.load(..., reuse=old)`` keeps
the models and the Neo4j connection).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from papergraph.atomic import Commit, CommitPoint
from papergraph.config import GraphBackend, Settings
from papergraph.embed import Encoder, QueryEmbedder, QueryEncoder
from papergraph.errors import GraphUnavailableError, IndexNotFoundError
from papergraph.graph import GraphStore, open_store
from papergraph.graph.view import IndexedView
from papergraph.index import LexicalIndex, VectorIndex, index_options
from papergraph.query.ask import Asker
from papergraph.query.search import Searcher

log = logging.getLogger(__name__)


@dataclass
class Engine:
    settings: Settings
    encoder: QueryEmbedder
    index: VectorIndex
    lexical: LexicalIndex
    store: GraphStore
    extractor: object | None = None  # unused since questions are read without spaCy; kept for callers
    generation: int | None = None
    searcher: Searcher = field(init=False)
    _asker: Asker | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.store, IndexedView):  # papers outside this index are skipped, never a 500
            self.store = IndexedView(self.store, self.index.papers)
        self.searcher = Searcher(
            self.index,
            self.lexical,
            self.store,
            self.encoder,
            rrf_k=self.settings.rrf_k,
            dense_weight=self.settings.dense_weight,
        )

    @property
    def asker(self) -> Asker:
        """The question answerer; its vocabulary is read from the graph on first use (or at start-up when warm)."""
        if self._asker is None:
            with self._lock:
                if self._asker is None:
                    self._asker = Asker(self.searcher, self.store, self.settings)
        return self._asker

    @classmethod
    def load(
        cls,
        settings: Settings,
        *,
        warm: bool = True,
        serving: bool = False,
        encoder: QueryEmbedder | None = None,
        extractor: object | None = None,
        reuse: Engine | None = None,
    ) -> Engine:
        """Load the current generation (raises IndexNotFoundError before anything slow), the graph, the model.

        ``serving`` puts the micro-batching, caching query encoder in front of the model (for the API).
        ``reuse``: an engine whose model, extractor and Neo4j connection the new one shares (a reload).
        """
        if reuse is not None:
            encoder = encoder or reuse.encoder
            extractor = extractor or reuse.extractor
        if encoder is None:
            model = Encoder(settings)
            encoder = QueryEncoder(model) if serving else model
        shared = reuse.store.inner if reuse is not None and isinstance(reuse.store, IndexedView) else None
        index, lexical, store, generation = cls._open(settings, getattr(encoder, "model_id", None), shared)
        engine = cls(settings, encoder, index, lexical, store, extractor, generation)
        if warm:  # load the model and the question vocabulary now, not on the first request
            if reuse is None:
                base = encoder.encoder if isinstance(encoder, QueryEncoder) else encoder
                base.encode_query("warm up")  # the model itself: the batcher would cache this query
            store.paper_ids()  # builds the embedded store's read indexes
            engine.asker.ask("warm up")
            engine.asker.ask("How many papers use GPUs?")  # the graph-answer path
            engine.asker.plan("How many papers study warm-up?")  # a subject no entity names: the tagger
        log.info("engine ready: generation %s, %d papers, graph %s", generation, len(index), settings.graph.value)
        return engine

    @staticmethod
    def _open(
        settings: Settings, model_id: str | None, shared: GraphStore | None
    ) -> tuple[VectorIndex, LexicalIndex, GraphStore, int]:
        """The indexes and graph of one generation; retried when a writer removed it while it was being read."""
        point = CommitPoint(settings.index_dir)
        for attempt in range(3):
            commit = point.require()
            try:
                index = VectorIndex.load_commit(commit, model_id, **index_options(settings))
                lexical = _lexical(commit, index)
                if shared is not None and settings.graph is not GraphBackend.NETWORKX:
                    return index, lexical, shared, commit.generation
                return index, lexical, open_store(settings, commit.folder), commit.generation
            except (IndexNotFoundError, GraphUnavailableError, FileNotFoundError):
                if attempt == 2 or point.generation() == commit.generation:
                    raise
                log.info("generation %d went away while loading: loading the current one", commit.generation)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.store.close()


def _lexical(commit: Commit, index: VectorIndex) -> LexicalIndex:
    """The generation's BM25 index, memory-mapped; built from the paper store for a generation saved without one."""
    part = commit.part("bm25")
    if part is not None:
        return LexicalIndex.load(commit.folder, part)
    log.info("generation %d has no BM25 index: building it from its %d papers", commit.generation, len(index))
    return LexicalIndex.build(index.papers.stream())
