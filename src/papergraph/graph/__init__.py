"""Graph stores behind one :class:`GraphStore` protocol: embedded networkx (default) and Neo4j."""

from papergraph.graph.base import EntityFilters, GraphStore
from papergraph.graph.factory import open_store

__all__ = ["EntityFilters", "GraphStore", "open_store"]
