"""Graph browsing: the neighbourhood of a node as nodes and edges, ready for a graph view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from papergraph.api import examples
from papergraph.api.deps import EngineDep
from papergraph.api.schemas import errors
from papergraph.errors import NotFoundError
from papergraph.models import Subgraph

router = APIRouter(prefix="/graph", tags=["graph"])


@router.get(
    "/neighbors",
    response_model=Subgraph,
    responses=errors(404, 422, 503),
    summary="Nodes within 1 or 2 hops of a node, and their edges",
)
def neighbors(
    engine: EngineDep,
    node: Annotated[
        str,
        Query(
            min_length=1,
            max_length=300,
            description="A node id: a paper id, or `<type>:<slug>` for an entity (the `id` GET /entities lists).",
            examples=[examples.NODE_ID, examples.PAPER_ID],
        ),
    ],
    depth: Annotated[int, Query(ge=1, le=2, description="Hops from the node: 1 or 2.", examples=[1])] = 1,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most nodes returned (1-1000).", examples=[50])] = 100,
) -> Subgraph:
    """The node, the nodes within `depth` hops (nearest first, at most `limit`) and the edges among them."""
    sub = engine.store.neighbours(node, depth, limit)
    if sub is None:
        raise NotFoundError(f"unknown node {node!r}; node ids are paper ids or '<type>:<slug>' (see GET /entities)")
    return sub
