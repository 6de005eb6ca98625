"""Service health and graph statistics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from papergraph import __version__
from papergraph.api.deps import EngineDep
from papergraph.api.schemas import errors
from papergraph.config import GraphBackend
from papergraph.models import GraphStats

router = APIRouter(tags=["meta"])


class Health(BaseModel):
    status: Literal["ok", "no-index"] = Field(description="`no-index` until `papergraph ingest` has run.")
    version: str = Field(description="PaperGraph version.")
    papers: int = Field(description="Papers in the loaded index.")
    graph: str = Field(description="Graph backend: networkx or neo4j (`none` without an index).")
    model: str | None = Field(None, description="Embedding model of the index, with its sequence length.")
    generation: int | None = Field(
        None, description="The data directory's generation being served (it follows each ingest by itself)."
    )


class Stats(BaseModel):
    papers_indexed: int = Field(description="Papers in the vector index.")
    index_kind: str = Field(description="Vector index structure, e.g. exact (flat) or HNSW.")
    model: str = Field(description="Embedding model of the index.")
    graph_backend: GraphBackend
    graph: GraphStats


@router.get("/health", response_model=Health, summary="Liveness and what is loaded")
def health(request: Request) -> Health:
    """Always answers 200, also before an index exists (`status` says which)."""
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


@router.get("/stats", response_model=Stats, responses=errors(503), summary="Index and graph statistics")
def stats(engine: EngineDep) -> Stats:
    """Papers in the index, its structure and model, and node and relationship counts of the graph."""
    return Stats(
        papers_indexed=len(engine.index),
        index_kind=engine.index.kind,
        model=engine.index.model_id,
        graph_backend=engine.settings.graph.value,
        graph=engine.store.stats(),
    )
