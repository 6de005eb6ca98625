"""Query layer: similarity search and question answering over the index and the graph."""

from papergraph.models import SearchMode
from papergraph.query.engine import Engine
from papergraph.query.search import Searcher, SearchFilters, SearchHit, SearchResult, rrf

__all__ = ["Engine", "SearchFilters", "SearchHit", "SearchMode", "SearchResult", "Searcher", "rrf"]
