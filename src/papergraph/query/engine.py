"""Everything a query needs, loaded once: the model, the vector index, BM25, the graph.

The API builds one Engine in its lifespan and the CLI builds one per command, so both run the same code path.
Requests then do no disk I/O: the index, the paper store and (for the embedded store) the graph are in memory.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from papergraph.config import Settings
from papergraph.embed import Encoder, QueryEmbedder, QueryEncoder
from papergraph.graph import GraphStore, open_store
from papergraph.index import LexicalIndex, VectorIndex
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
    searcher: Searcher = field(init=False)
    _asker: Asker | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
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
    def load(cls, settings: Settings, *, warm: bool = True, serving: bool = False) -> Engine:
        """Load the index (raises IndexNotFoundError before anything slow), the graph and the model.

        ``serving`` puts the micro-batching, caching query encoder in front of the model (for the API).
        """
        encoder = Encoder(settings)
        index = VectorIndex.load(
            settings.index_dir,
            model_id=encoder.model_id,
            ann_threshold=settings.ann_threshold,
            hnsw_m=settings.hnsw_m,
            ef_search=settings.hnsw_ef_search,
        )
        store = open_store(settings)
        lexical = LexicalIndex(list(index.papers.values()))
        engine = cls(settings, QueryEncoder(encoder) if serving else encoder, index, lexical, store)
        if warm:  # load the model and the question vocabulary now, not on the first request
            encoder.encode_query("warm up")  # the model itself: the batcher would cache this query
            store.paper_ids()  # builds the embedded store's read indexes
            engine.asker.ask("warm up")
            engine.asker.ask("How many papers use GPUs?")  # the graph-answer path
        log.info("engine ready: %d papers, graph %s", len(index), settings.graph.value)
        return engine

    def close(self) -> None:
        self.store.close()
