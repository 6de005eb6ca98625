"""Similarity search: dense (FAISS) and lexical (BM25) rankings fused by reciprocal rank, graph filters.

Dense vectors find papers that mean the same thing; BM25 finds the exact names researchers type ("TeLLMe",
"Jetson Orin"). Reciprocal rank fusion (Cormack et al., 2009) merges the two without score calibration.
Graph filters (hardware, technique, system, dataset) restrict both rankings to papers the graph links.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Mapping, Sequence

from pydantic import BaseModel, Field

from papergraph.embed import QueryEmbedder, Vectors
from papergraph.errors import NotFoundError, QueryError
from papergraph.graph import GraphStore
from papergraph.index import Hit, LexicalIndex, VectorIndex
from papergraph.models import EntityType, Paper, SearchMode

# BM25 is the stronger ranker on researchers' queries here (exact names, jargon); dense vectors add recall for
# paraphrases. Weighted RRF with a small k keeps BM25's top hits on top (see scripts/eval_qa.py).
RRF_K = 10
DENSE_WEIGHT = 0.3
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]+")
SNIPPET_CHARS = 320


class SearchFilters(BaseModel):
    """Graph constraints: AND across types, OR among the values of one type."""

    hardware: list[str] = Field(default_factory=list, description="Hardware name, family or type (e.g. FPGA).")
    technique: list[str] = Field(default_factory=list, description="Technique name, e.g. quantization.")
    system: list[str] = Field(default_factory=list, description="System name, e.g. vLLM.")
    dataset: list[str] = Field(default_factory=list, description="Dataset name, e.g. ImageNet.")

    def as_graph(self) -> dict[EntityType, list[str]]:
        pairs = (
            (EntityType.HARDWARE, self.hardware),
            (EntityType.TECHNIQUE, self.technique),
            (EntityType.SYSTEM, self.system),
            (EntityType.DATASET, self.dataset),
        )
        return {t: [v.strip() for v in values if v.strip()] for t, values in pairs if any(v.strip() for v in values)}


class SearchHit(BaseModel):
    id: str
    title: str
    score: float = Field(description="Fused score (RRF) in hybrid mode, cosine or BM25 otherwise.")
    snippet: str = Field(description="The abstract sentence closest to the query.")
    year: int | None = None
    url: str | None = None
    entities: dict[str, list[str]] = Field(default_factory=dict, description="Entity names by type.")
    dense_rank: int | None = None
    lexical_rank: int | None = None


class SearchResult(BaseModel):
    query: str | None
    paper_id: str | None = None
    mode: SearchMode
    filters: SearchFilters
    count: int
    data: list[SearchHit]
    took_ms: float


def rrf(
    rankings: Sequence[Sequence[str]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: sum of weight/(k + rank) over the rankings an item appears in."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def snippet(paper: Paper, query: str | None) -> str:
    """The abstract sentence sharing most words with the query (the first one without a query)."""
    sentences = _SENTENCE.split(paper.abstract) or [paper.abstract]
    best = sentences[0]
    if query:
        terms = {w.casefold() for w in _WORD.findall(query) if len(w) > 2}
        overlap = [len(terms & {w.casefold() for w in _WORD.findall(s)}) for s in sentences]
        if max(overlap, default=0) > 0:
            best = sentences[overlap.index(max(overlap))]
    return best if len(best) <= SNIPPET_CHARS else best[: SNIPPET_CHARS - 1].rstrip() + "…"


class Searcher:
    """Answers searches from the index, BM25 and the graph, all loaded once by the caller."""

    def __init__(
        self,
        index: VectorIndex,
        lexical: LexicalIndex,
        store: GraphStore,
        encoder: QueryEmbedder,
        entity_names: Mapping[str, dict[str, list[str]]] | None = None,
        *,
        rrf_k: int = RRF_K,
        dense_weight: float = DENSE_WEIGHT,
    ) -> None:
        self.index = index
        self.lexical = lexical
        self.store = store
        self.encoder = encoder
        self._entities: dict[str, dict[str, list[str]]] = dict(entity_names or {})
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight

    def entities_of(self, paper_id: str) -> dict[str, list[str]]:
        """A paper's entity names by type, cached (the graph does not change while serving)."""
        cached = self._entities.get(paper_id)
        if cached is None:
            record = self.store.paper(paper_id)
            cached = {}
            for link in record.entities if record else []:
                names = cached.setdefault(link.type.value, [])
                if link.name not in names:
                    names.append(link.name)
            self._entities[paper_id] = cached
        return cached

    def allowed(self, filters: SearchFilters) -> set[str] | None:
        graph_filters = filters.as_graph()
        return self.store.papers_for(graph_filters) if graph_filters else None

    def rank(
        self,
        query: str | None,
        k: int,
        *,
        vector: Vectors | None = None,
        allowed: Collection[str] | None = None,
        mode: SearchMode = SearchMode.HYBRID,
        exclude: str | None = None,
        dense_weight: float | None = None,
    ) -> list[tuple[str, float, int | None, int | None]]:
        """(paper id, score, dense rank, lexical rank), best first; ``dense_weight`` overrides the fusion's."""
        depth = max(k * 4, 50) + (1 if exclude else 0)
        dense: list[Hit] = []
        lexical: list[Hit] = []
        if mode is not SearchMode.LEXICAL:
            if vector is None:
                if not query:
                    raise QueryError("a query text or a paper_id is needed")
                vector = self.encoder.encode_query(query)
            dense = [h for h in self.index.search(vector, depth, allowed) if h.paper_id != exclude]
        if mode is not SearchMode.DENSE and query:
            lexical = [h for h in self.lexical.search(query, depth, allowed) if h.paper_id != exclude]
        dense_rank = {h.paper_id: r for r, h in enumerate(dense, start=1)}
        lexical_rank = {h.paper_id: r for r, h in enumerate(lexical, start=1)}
        if mode is SearchMode.DENSE or not lexical:
            ranked = [(h.paper_id, h.score) for h in dense]
        elif mode is SearchMode.LEXICAL:
            ranked = [(h.paper_id, h.score) for h in lexical]
        else:
            ranked = rrf(
                [[h.paper_id for h in dense], [h.paper_id for h in lexical]],
                k=self.rrf_k,
                weights=(self.dense_weight if dense_weight is None else dense_weight, 1.0),
            )
        return [(pid, score, dense_rank.get(pid), lexical_rank.get(pid)) for pid, score in ranked[:k]]

    def search(
        self,
        query: str | None = None,
        *,
        k: int = 10,
        paper_id: str | None = None,
        filters: SearchFilters | None = None,
        mode: SearchMode = SearchMode.HYBRID,
    ) -> SearchResult:
        """Papers like ``query`` (or like paper ``paper_id``: "more like this"), within the filters."""
        t0 = time.perf_counter()
        filters = filters or SearchFilters()
        query = query.strip() if query else None
        if not query and not paper_id:
            raise QueryError("give a query (q) or a paper_id")
        vector = None
        if paper_id:
            vector, query, mode = self._like_paper(paper_id, query, mode)
        allowed = self.allowed(filters)
        ranked = self.rank(query, k, vector=vector, allowed=allowed, mode=mode, exclude=paper_id)
        hits = [self._hit(pid, score, d_rank, l_rank, query) for pid, score, d_rank, l_rank in ranked]
        return SearchResult(
            query=query,
            paper_id=paper_id,
            mode=mode,
            filters=filters,
            count=len(hits),
            data=hits,
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
        )

    def _like_paper(self, paper_id: str, query: str | None, mode: SearchMode) -> tuple[Vectors, str | None, SearchMode]:
        """For "more like this": the paper's stored vector, and, with no query, dense mode (hybrid has no words to
        match) or, for lexical mode, the paper's title as the query."""
        if paper_id not in self.index:
            raise NotFoundError(f"unknown paper id {paper_id!r}")
        vector = self.index.vectors([paper_id])[0]
        if not query:
            mode = SearchMode.DENSE if mode is SearchMode.HYBRID else mode
            if mode is SearchMode.LEXICAL:
                query = self.index.papers[paper_id].title
        return vector, query, mode

    def _hit(self, pid: str, score: float, d_rank: int | None, l_rank: int | None, query: str | None) -> SearchHit:
        """One ranked paper as the response shows it: rounded score, snippet, entities and both ranks."""
        paper = self.index.papers[pid]
        return SearchHit(
            id=pid,
            title=paper.title,
            score=round(score, 6),
            snippet=snippet(paper, query),
            year=paper.year,
            url=paper.url,
            entities=self.entities_of(pid),
            dense_rank=d_rank,
            lexical_rank=l_rank,
        )
