"""One paper with its entities, metrics and evidence; removing a paper (admin, bearer token)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from pydantic import BaseModel, Field

from papergraph.api import examples
from papergraph.api.deps import EngineDep
from papergraph.api.schemas import MAX_ID_CHARS, ErrorBody, errors
from papergraph.config import Settings
from papergraph.errors import NotFoundError, PermissionDeniedError
from papergraph.models import PaperRecord

DELETE_WAIT_S = 30.0
"""How long a DELETE waits for a running ingest to finish before answering 503."""

router = APIRouter(prefix="/papers", tags=["papers"])

LINKS = {
    "Neighbors": {"operationId": "neighbors", "parameters": {"node": "$response.body#/id"}},
    "MoreLikeThis": {"operationId": "search_get", "parameters": {"paper_id": "$response.body#/id"}},
}
PAPER_ID_HELP = "The paper id: its arXiv id when the source had one, else `t` + 12 hex digits of the title."


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
            description=PAPER_ID_HELP,
            examples=[examples.PAPER_ID],
        ),
    ],
) -> PaperRecord:
    """The paper's properties, each entity it is linked to with the evidence sentence, and its metrics."""
    record = engine.store.paper(paper_id)
    if record is None:
        raise NotFoundError(f"unknown paper id {paper_id!r}; find ids with GET /search?q=...")
    return record


class Deleted(BaseModel):
    """A paper removed: the generation that no longer holds it is served from the answer on."""

    deleted: str = Field(description="The id removed.")
    papers: int = Field(description="Papers stored afterwards.")
    generation: int | None = Field(None, description="The generation committed without the paper.")


FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "No PAPERGRAPH_ADMIN_TOKEN configured, or a wrong bearer token"}
}


def require_admin(settings: Settings, authorization: str | None) -> None:
    """Allow the request only with ``Authorization: Bearer <PAPERGRAPH_ADMIN_TOKEN>`` (and a token set)."""
    if settings.admin_token is None or not settings.admin_token.get_secret_value():
        raise PermissionDeniedError("deleting papers over HTTP is disabled: set PAPERGRAPH_ADMIN_TOKEN to enable it")
    scheme, _, token = (authorization or "").partition(" ")
    expected = settings.admin_token.get_secret_value()
    if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), expected.encode()):
        raise PermissionDeniedError("a valid admin token is needed: send `Authorization: Bearer <token>`")


@router.delete(
    "/{paper_id:path}",
    response_model=Deleted,
    responses={**FORBIDDEN, **errors(404, 422, 503)},
    summary="Remove a paper from the index and the graph (admin)",
)
def delete_paper(
    request: Request,
    paper_id: Annotated[
        str, Path(min_length=1, max_length=MAX_ID_CHARS, description=PAPER_ID_HELP, examples=[examples.PAPER_ID])
    ],
    authorization: Annotated[
        str | None,
        Header(description="`Bearer <PAPERGRAPH_ADMIN_TOKEN>`", examples=["Bearer your-admin-token"]),
    ] = None,
) -> Deleted:
    from papergraph.ingest import delete

    settings: Settings = request.app.state.settings
    require_admin(settings, authorization)
    report = delete([paper_id], settings, wait=DELETE_WAIT_S)
    if report.unknown:
        raise NotFoundError(f"unknown paper id {paper_id!r}")
    reloader = getattr(request.app.state, "reloader", None)
    if reloader is not None:
        reloader.check()  # the next request already gets the generation without the paper
    return Deleted(deleted=paper_id, papers=report.papers, generation=report.generation)
