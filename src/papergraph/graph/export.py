"""Push the embedded graph to a Neo4j server (``papergraph export-neo4j``), optionally with embeddings.

The export is an upsert: papers already on the server are replaced with the embedded version, so running it
twice leaves the same graph; papers that exist only on the server are left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from papergraph.graph.neo4j_store import Neo4jStore
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.models import WriteStats

log = logging.getLogger(__name__)


def export_graph(
    source: NetworkxStore,
    target: Neo4jStore,
    embeddings: Mapping[str, Sequence[float]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WriteStats:
    """Write every paper, entity, metric and link of ``source`` to ``target``; what was written.

    ``embeddings`` (paper id -> vector) are stored as the papers' ``embedding`` property, for a vector index
    in Neo4j; vectors of papers not in the graph are skipped. ``progress(done, total)`` follows the papers.
    """
    rows = source.export_rows()
    stats = target.write_rows(rows, progress)
    log.info(
        "exported %d papers, %d nodes, %d links to %s",
        stats.papers,
        stats.nodes,
        stats.relationships,
        target.location,
    )
    if embeddings:
        ids = {p["id"] for p in rows.papers}
        vectors = {pid: vector for pid, vector in embeddings.items() if pid in ids}
        updated = target.set_embeddings(vectors)
        log.info("stored %d embeddings on Paper nodes", updated)
    return stats
