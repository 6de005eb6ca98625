"""Service health and graph statistics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from papergraph import __version__
from papergraph.api.deps import EngineDep
from papergraph.api.schemas import ERRORS
from papergraph.models import GraphStats

router = APIRouter(tags=["meta"], responses=ERRORS)


class Health(BaseModel):
    status: str
    version: str
    papers: int
    graph: str
    model: str | None = None
    generation: int | None = Field(
        None, description="The data directory's generation being served (it follows each ingest by itself)."
    )


class Stats(BaseModel):
    papers_indexed: int
    index_kind: str
    model: str
    graph_backend: str
    graph: GraphStats


@router.get("/health", response_model=Health, summary="Liveness and what is loaded")
def health(request: Request) -> Health:
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return Health(status="no-index", version=__version__, papers=0, graph="none")
    return Health(
        status="ok",
        version=__version__,
        papers=len(engine.index),
        graph=engine.settings.graph.value,
        model=engine.index.model_id,
        generation=engine.generation,
    )


@router.get("/stats", response_model=Stats, summary="Index and graph statistics")
def stats(engine: EngineDep) -> Stats:
    return Stats(
        papers_indexed=len(engine.index),
        index_kind=engine.index.kind,
        model=engine.index.model_id,
        graph_backend=engine.settings.graph.value,
        graph=engine.store.stats(),
    )
