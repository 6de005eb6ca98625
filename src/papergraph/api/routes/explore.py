"""What the explorer page (``/``) reads: fuzzy node search, neighbour pages, paths, subgraphs, the overview.

Everything is built on the GraphStore protocol, so it answers the same on the embedded store and on Neo4j.
"""

from __future__ import annotations

import threading
import weakref
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from papergraph.api.deps import EngineDep
from papergraph.api.schemas import ERRORS
from papergraph.explore import views
from papergraph.explore.catalog import Catalog
from papergraph.explore.models import Expansion, GraphHits, GraphPath, Overview, SubgraphRequest, Subview
from papergraph.graph.base import GraphStore

router = APIRouter(prefix="/graph", tags=["explore"], responses=ERRORS)

NodeQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=300,
        description="A node id: a paper id or '<type>:<slug>'.",
        examples=["hardware:nvidia-jetson-nano"],
    ),
]


class SearchLabel(StrEnum):
    """Kinds of node the explorer search finds."""

    PAPER = "Paper"
    HARDWARE = "Hardware"
    TECHNIQUE = "Technique"
    SYSTEM = "System"
    DATASET = "Dataset"


_catalogs: weakref.WeakKeyDictionary[GraphStore, tuple[tuple[int, int], Catalog]] = weakref.WeakKeyDictionary()
_catalog_lock = threading.Lock()


def get_catalog(engine: EngineDep) -> Catalog:
    """The engine's catalog, built on first use and again when the indexed papers change."""
    signature = (id(engine.index), len(engine.index))
    cached = _catalogs.get(engine.store)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _catalog_lock:
        cached = _catalogs.get(engine.store)
        if cached is None or cached[0] != signature:
            cached = (signature, Catalog.build(engine.store, engine.index.papers.values()))
            _catalogs[engine.store] = cached
    return cached[1]


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


@router.get("/search", response_model=GraphHits, summary="Papers and entities whose name, alias or title resembles q")
def search_nodes(
    catalog: CatalogDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="What to look for; misspellings are tolerated.",
            examples=["jetsn nano"],
        ),
    ],
    label: Annotated[
        list[SearchLabel] | None, Query(description="Only nodes of these labels.", examples=[["Hardware"]])
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Most nodes found (1-50).", examples=[10])] = 10,
) -> GraphHits:
    """Fuzzy matching over entity names, the gazetteers' aliases ("quantisation", "GPGPU") and paper titles.

    Example: `q=jetsn nano` finds the NVIDIA Jetson Nano.
    """
    hits = catalog.search(q, limit, {label.value for label in label} if label else None)
    return GraphHits(data=hits, count=len(hits))


@router.get("/expand", response_model=Expansion, summary="A page of a node's neighbours, and how many there are")
def expand(
    engine: EngineDep,
    catalog: CatalogDep,
    node: NodeQuery,
    limit: Annotated[int, Query(ge=1, le=500, description="Neighbours in this page.", examples=[25])] = 25,
    offset: Annotated[
        int, Query(ge=0, le=100_000, description="Neighbours to skip (earlier pages).", examples=[0])
    ] = 0,
) -> Expansion:
    """The node, ``limit`` of its neighbours (ordered by id) after ``offset``, the relationships among them,
    and ``more``: how many neighbours follow this page. Nodes carry their paper counts (the drawn size)."""
    return views.expand(engine.store, catalog, node, limit, offset)


@router.get("/path", response_model=GraphPath, summary="A shortest path between two nodes")
def path(
    engine: EngineDep,
    catalog: CatalogDep,
    source: NodeQuery,
    target: NodeQuery,
    max_hops: Annotated[
        int, Query(ge=1, le=10, description="Longest path looked for, in relationships.", examples=[6])
    ] = 6,
) -> GraphPath:
    """Bidirectional breadth-first search over the store's neighbours, relationships taken in either
    direction. ``found`` is false when no path has at most ``max_hops`` relationships."""
    return views.path(engine.store, catalog, source, target, max_hops)


@router.post("/subgraph", response_model=Subview, summary="Nodes named by id or by entity name, with their links")
def subgraph(
    engine: EngineDep,
    catalog: CatalogDep,
    req: Annotated[
        SubgraphRequest,
        Body(
            examples=[
                {"ids": ["tf9a9dfb21d3d"], "entities": [{"type": "hardware", "name": "FPGA"}]},
            ]
        ),
    ],
) -> Subview:
    """The nodes and every relationship among them: what an /ask answer used (its papers, their metrics and
    the entities named), drawn as one subgraph."""
    return views.subgraph(engine.store, catalog, req)


@router.get("/overview", response_model=Overview, summary="Counts, filter facets, style and the top entities")
def overview(engine: EngineDep, catalog: CatalogDep) -> Overview:
    """What the explorer page loads first: node and relationship counts, the hardware types and publication
    years present (for the filters), colours and captions from ``papergraph.grass``, the most linked entities."""
    return views.overview(engine.store, catalog)
