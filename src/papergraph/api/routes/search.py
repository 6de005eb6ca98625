"""Similarity search: GET for links and browsers, POST for programs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from papergraph.api.deps import EngineDep
from papergraph.api.schemas import ERRORS, MAX_K, MAX_QUERY_CHARS, SearchRequest, parse_request
from papergraph.errors import QueryError
from papergraph.query import SearchMode, SearchResult

router = APIRouter(prefix="/search", tags=["search"], responses=ERRORS)

_PARAMS = {"q", "paper_id", "k", "mode", "hardware", "technique", "system", "dataset"}


def _given(values: list[str] | None) -> list[str]:
    """Repeated query values without the blank ones (``?hardware=`` means no filter)."""
    return [v for v in values or [] if v.strip()]


def run_search(engine: EngineDep, req: SearchRequest) -> SearchResult:
    return engine.searcher.search(req.q, k=req.k, paper_id=req.paper_id, filters=req.filters, mode=req.mode)


@router.get("", response_model=SearchResult, summary="Search abstracts (query string)")
def search_get(
    request: Request,
    engine: EngineDep,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, description="Query text.")] = None,
    paper_id: Annotated[str | None, Query(max_length=200, description="More like this paper.")] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    mode: SearchMode = SearchMode.HYBRID,
    hardware: Annotated[list[str] | None, Query(description="Repeatable.")] = None,
    technique: Annotated[list[str] | None, Query(description="Repeatable.")] = None,
    system: Annotated[list[str] | None, Query(description="Repeatable.")] = None,
    dataset: Annotated[list[str] | None, Query(description="Repeatable.")] = None,
) -> SearchResult:
    unknown = sorted(set(request.query_params) - _PARAMS)
    if unknown:
        raise QueryError(
            f"unknown parameter(s) {', '.join(unknown)}; filters are: hardware, technique, system, dataset"
        )
    req = parse_request(
        SearchRequest,
        q=q or None,
        paper_id=paper_id or None,
        k=k,
        mode=mode,
        hardware=_given(hardware),
        technique=_given(technique),
        system=_given(system),
        dataset=_given(dataset),
    )
    return run_search(engine, req)


@router.post("", response_model=SearchResult, summary="Search abstracts (JSON body)")
def search_post(engine: EngineDep, req: SearchRequest) -> SearchResult:
    return run_search(engine, req)
