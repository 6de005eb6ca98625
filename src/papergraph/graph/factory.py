"""Pick the graph store named in the settings; backends are imported lazily."""

from __future__ import annotations

from pathlib import Path

from papergraph.atomic import CommitPoint
from papergraph.config import GraphBackend, Settings
from papergraph.errors import ConfigError
from papergraph.graph.base import GraphStore


def open_store(settings: Settings, folder: Path | None = None) -> GraphStore:
    """The configured :class:`GraphStore`: the embedded networkx graph, or Neo4j over Bolt.

    The embedded graph is part of a generation of the data directory: the one in ``folder``, by default the
    current generation's (an empty graph when nothing is committed yet).
    """
    if settings.graph is GraphBackend.NETWORKX:
        from papergraph.graph.networkx_store import NetworkxStore

        if folder is None:
            commit = CommitPoint(settings.index_dir).current()
            folder = commit.folder if commit else None
        return NetworkxStore(folder)
    if settings.graph is GraphBackend.NEO4J:
        if not settings.neo4j_uri:
            raise ConfigError("graph backend 'neo4j' needs NEO4J_URI (or --neo4j-uri), e.g. bolt://localhost:7687")
        from papergraph.graph.neo4j_store import Neo4jStore

        store: GraphStore = Neo4jStore.from_settings(settings)
        return store
    valid = ", ".join(b.value for b in GraphBackend)
    raise ConfigError(f"unknown graph backend {settings.graph!r}; choose one of: {valid}")
