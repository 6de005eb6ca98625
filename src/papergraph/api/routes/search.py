"""Similarity search: GET for links and browsers, POST for programs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic.json_schema import SkipJsonSchema

from papergraph.api import examples
from papergraph.api.deps import EngineDep, SettingsDep
from papergraph.api.schemas import (
    FILTER_HELP,
    FILTER_RULE,
    K_HELP,
    MODE_HELP,
    PAPER_ID_HELP,
    Q_HELP,
    FilterValues,
    PaperId,
    SearchRequest,
    SentQueryText,
    errors,
    limited_by,
    parse_request,
)
from papergraph.errors import QueryError
from papergraph.query import SearchMode, SearchResult

router = APIRouter(prefix="/search", tags=["search"])

_PARAMS = ("q", "paper_id", "k", "mode", "hardware", "technique", "system", "dataset")

# OpenAPI links: where a hit's id can be sent next (schemathesis' stateful phase follows them too)
HIT_LINKS = {
    "GetPaper": {"operationId": "get_paper", "parameters": {"paper_id": "$response.body#/data/0/id"}},
    "MoreLikeThis": {"operationId": "search_get", "parameters": {"paper_id": "$response.body#/data/0/id"}},
    "Neighbors": {"operationId": "neighbors", "parameters": {"node": "$response.body#/data/0/id"}},
}
RESPONSES = {200: {"links": HIT_LINKS}, **errors(404, 422, 503)}


def _filter(name: str) -> Any:
    help_text, example = FILTER_HELP[name]
    return Query(description=help_text + FILTER_RULE, examples=[[example]])


def run_search(engine: EngineDep, settings: SettingsDep, req: SearchRequest) -> SearchResult:
    req = req.within(settings)
    return engine.searcher.search(req.q, k=req.k, paper_id=req.paper_id, filters=req.filters, mode=req.mode)


@router.get("", response_model=SearchResult, responses=RESPONSES, summary="Search abstracts (query string)")
def search_get(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    q: Annotated[SentQueryText | SkipJsonSchema[None], Query(description=Q_HELP, examples=[examples.QUERY])] = None,
    paper_id: Annotated[
        PaperId | SkipJsonSchema[None], Query(description=PAPER_ID_HELP, examples=[examples.PAPER_ID])
    ] = None,
    k: Annotated[int, Query(ge=1, description=K_HELP, examples=[5], json_schema_extra=limited_by("max_k"))] = 10,
    mode: Annotated[SearchMode, Query(description=MODE_HELP, examples=["hybrid"])] = SearchMode.HYBRID,
    hardware: Annotated[FilterValues | SkipJsonSchema[None], _filter("hardware")] = None,
    technique: Annotated[FilterValues | SkipJsonSchema[None], _filter("technique")] = None,
    system: Annotated[FilterValues | SkipJsonSchema[None], _filter("system")] = None,
    dataset: Annotated[FilterValues | SkipJsonSchema[None], _filter("dataset")] = None,
) -> SearchResult:
    """Papers ranked by similarity to `q`, or to the paper `paper_id` ("more like this"), or both.

    Send at least one of `q` and `paper_id`; a request with neither is refused with 422. Filters restrict the
    results to papers the graph links to the named entities.
    """
    unknown = sorted(set(request.query_params) - set(_PARAMS))
    if unknown:
        raise QueryError(f"unknown parameter(s) {', '.join(unknown)}; the parameters are: {', '.join(_PARAMS)}")
    req = parse_request(
        SearchRequest,
        q=q,
        paper_id=paper_id,
        k=k,
        mode=mode,
        hardware=hardware or [],
        technique=technique or [],
        system=system or [],
        dataset=dataset or [],
    )
    return run_search(engine, settings, req)


@router.post("", response_model=SearchResult, responses=RESPONSES, summary="Search abstracts (JSON body)")
def search_post(engine: EngineDep, settings: SettingsDep, req: SearchRequest) -> SearchResult:
    """The same search as `GET /search`, with the parameters as a JSON object (at least one of q and paper_id)."""
    return run_search(engine, settings, req)
