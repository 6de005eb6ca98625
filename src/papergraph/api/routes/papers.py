"""One paper with its entities, metrics and evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from papergraph.api import examples
from papergraph.api.deps import EngineDep
from papergraph.api.schemas import MAX_ID_CHARS, errors
from papergraph.errors import NotFoundError
from papergraph.models import PaperRecord

router = APIRouter(prefix="/papers", tags=["papers"])

LINKS = {
    "Neighbors": {"operationId": "neighbors", "parameters": {"node": "$response.body#/id"}},
    "MoreLikeThis": {"operationId": "search_get", "parameters": {"paper_id": "$response.body#/id"}},
}


@router.get(
    "/{paper_id:path}",
    response_model=PaperRecord,
    responses={200: {"links": LINKS}, **errors(404, 422, 503)},
    summary="A paper, its entities and metrics",
)
def get_paper(
    engine: EngineDep,
    paper_id: Annotated[
        str,
        Path(
            min_length=1,
            max_length=MAX_ID_CHARS,
            description="The paper id: its arXiv id when the source had one, else `t` + 12 hex digits of the title.",
            examples=[examples.PAPER_ID],
        ),
    ],
) -> PaperRecord:
    """The paper's properties, each entity it is linked to with the evidence sentence, and its metrics."""
    record = engine.store.paper(paper_id)
    if record is None:
        raise NotFoundError(f"unknown paper id {paper_id!r}; find ids with GET /search?q=...")
    return record
