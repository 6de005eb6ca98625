"""Everything a query needs, loaded once: the model, the vector index, BM25, the graph.

The API builds one Engine in its lifespan and the CLI builds one per command, so both run the same code path.
Requests then do no disk I/O: the index, the paper store and (for the embedded store) the graph are in memory.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from papergraph.config import Settings
from papergraph.embed import Encoder
from papergraph.graph import GraphStore, open_store
from papergraph.index import LexicalIndex, VectorIndex
from papergraph.query.search import Searcher

log = logging.getLogger(__name__)


@dataclass
class Engine:
    settings: Settings
    encoder: Encoder
    index: VectorIndex
    lexical: LexicalIndex
    store: GraphStore
    searcher: Searcher = field(init=False)
    # torch runs its own threads; one encode at a time keeps them from fighting over the cores
    encode_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.searcher = Searcher(self.index, self.lexical, self.store, self.encoder)

    @classmethod
    def load(cls, settings: Settings, *, warm: bool = True) -> Engine:
        """Load the index (raises IndexNotFoundError before anything slow), the graph and the model."""
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
        engine = cls(settings, encoder, index, lexical, store)
        if warm:
            encoder.encode_query("warm up")  # load the model now, not on the first request
        log.info("engine ready: %d papers, graph %s", len(index), settings.graph.value)
        return engine

    def close(self) -> None:
        self.store.close()
