"""What the explorer page shows, built from GraphStore reads: neighbour pages, paths, subgraphs, the overview.

Every function here uses only the GraphStore protocol (``neighbours``, ``degree``, ``stats``), so the page
behaves the same on the embedded store and on Neo4j. Nodes are sized by their paper counts from the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable

from papergraph.errors import NotFoundError
from papergraph.explore.catalog import Catalog
from papergraph.explore.models import (
    Expansion,
    GraphPath,
    Overview,
    SubgraphRequest,
    Subview,
    ViewNode,
)
from papergraph.explore.paths import shortest_path
from papergraph.explore.style import graph_style
from papergraph.graph.base import GraphStore
from papergraph.graph.rows import METRIC, PAPER
from papergraph.models import GraphEdge, GraphNode, entity_id

TOP_ENTITIES = 12


def view_node(node: GraphNode, catalog: Catalog) -> ViewNode:
    papers = 1 if node.label == PAPER else 0 if node.label == METRIC else catalog.papers_of(node.id)
    return ViewNode(**node.model_dump(), papers=papers)


def _unknown(node: str) -> NotFoundError:
    return NotFoundError(f"unknown node {node!r}; node ids are paper ids or '<type>:<slug>' (see GET /graph/search)")


def expand(store: GraphStore, catalog: Catalog, node: str, limit: int, offset: int = 0) -> Expansion:
    """The node and its neighbours ``offset`` to ``offset + limit`` (by id), with the relationships among them."""
    total = store.degree(node)
    sub = store.neighbours(node, 1, offset + limit + 1) if total is not None else None
    if total is None or sub is None:
        raise _unknown(node)
    start, *around = sub.nodes
    page = [start, *around[offset : offset + limit]]
    keep = {n.id for n in page}
    edges = [e for e in sub.edges if e.source in keep and e.target in keep]
    shown = min(total, offset + limit)
    return Expansion(
        node=node,
        nodes=[view_node(n, catalog) for n in page],
        edges=edges,
        total=total,
        offset=offset,
        more=max(total - shown, 0),
    )


def path(store: GraphStore, catalog: Catalog, source: str, target: str, max_hops: int) -> GraphPath:
    """A shortest path between two nodes, or ``found=False`` when none has at most ``max_hops`` relationships."""
    for node in (source, target):
        if store.degree(node) is None:
            raise _unknown(node)
    found = shortest_path(store, source, target, max_hops=max_hops)
    return GraphPath(
        source=source,
        target=target,
        found=bool(found.nodes),
        hops=len(found.edges),
        explored=found.explored,
        nodes=[view_node(n, catalog) for n in found.nodes],
        edges=found.edges,
    )


def _members(
    store: GraphStore, catalog: Catalog, ids: Iterable[str]
) -> tuple[dict[str, GraphNode], dict[tuple[str, str], GraphEdge]]:
    """The nodes named and every relationship leaving them (papers' links, metrics' MEASURED_ON).

    Entities have no outgoing relationships: for them only the node itself is read, however many papers
    link to it.
    """
    nodes: dict[str, GraphNode] = {}
    edges: dict[tuple[str, str], GraphEdge] = {}
    for node in ids:
        degree = store.degree(node)
        if degree is None:
            continue
        entry = catalog.entries.get(node)
        is_entity = entry is not None and entry.label != PAPER
        sub = store.neighbours(node, 1, 1 if is_entity else degree + 1)
        if sub is None or not sub.nodes:
            continue
        nodes[node] = sub.nodes[0]
        for e in sub.edges:
            if e.source == node:
                edges[(e.source, e.target)] = e
    return nodes, edges


def subgraph(store: GraphStore, catalog: Catalog, req: SubgraphRequest) -> Subview:
    """The named nodes and the relationships among them; names not in the graph are listed in ``missing``."""
    wanted = dict.fromkeys(req.ids)
    named = {entity_id(ref.type, ref.name): f"{ref.type.value} {ref.name}" for ref in req.entities}
    wanted.update(dict.fromkeys(named))
    nodes, edges = _members(store, catalog, wanted)
    missing = [named.get(n, n) for n in wanted if n not in nodes]
    return Subview(
        nodes=[view_node(n, catalog) for n in nodes.values()],
        edges=sorted(
            (e for (s, t), e in edges.items() if s in nodes and t in nodes), key=lambda e: (e.source, e.target)
        ),
        missing=missing,
    )


def overview(store: GraphStore, catalog: Catalog) -> Overview:
    stats = store.stats()
    return Overview(
        nodes=stats.nodes,
        relationships=stats.relationships,
        hardware_types=catalog.hardware_types,
        years=catalog.years,
        style=graph_style(),
        top=catalog.top(TOP_ENTITIES),
    )
