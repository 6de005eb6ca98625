"""Browse entities: lists with paper counts, and one entity with its papers and co-occurring entities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from papergraph.api import examples
from papergraph.api.deps import EngineDep
from papergraph.api.schemas import MAX_FILTER_CHARS, BrowsableType, errors
from papergraph.errors import NotFoundError
from papergraph.models import EntityCount, EntityDetail

router = APIRouter(prefix="/entities", tags=["entities"])

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000
TYPE_HELP = (
    "Entity type: hardware, technique, system or dataset (metrics are listed per paper: GET /papers/{paper_id})."
)


class EntityList(BaseModel):
    data: list[EntityCount] = Field(description="This page: at most `limit` entities, most linked first.")
    count: int = Field(
        description="Total number of entities matching `type` and `q`, over all pages (not the length of `data`)."
    )


LIST_LINKS = {
    "GetEntity": {
        "operationId": "get_entity",
        "parameters": {"type": "$response.body#/data/0/type", "name": "$response.body#/data/0/name"},
    },
    "Neighbors": {"operationId": "neighbors", "parameters": {"node": "$response.body#/data/0/id"}},
}
DETAIL_LINKS = {
    "GetPaper": {"operationId": "get_paper", "parameters": {"paper_id": "$response.body#/papers/0/id"}},
    "Neighbors": {"operationId": "neighbors", "parameters": {"node": "$response.body#/entity/id"}},
}


@router.get(
    "",
    response_model=EntityList,
    responses={200: {"links": LIST_LINKS}, **errors(422, 503)},
    summary="Entities with paper counts, most linked first",
)
def list_entities(
    engine: EngineDep,
    type: Annotated[
        BrowsableType | SkipJsonSchema[None], Query(description=TYPE_HELP, examples=[examples.ENTITY_TYPE])
    ] = None,
    q: Annotated[
        str | SkipJsonSchema[None],
        Query(
            max_length=MAX_FILTER_CHARS,
            description="Case-insensitive substring of the name; empty lists every entity.",
            examples=[examples.ENTITY_SUBSTRING],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (1-1000).", examples=[20])] = 50,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Entities to skip, for the next pages.", examples=[0])
    ] = 0,
) -> EntityList:
    """A page of entities of one type (or all types), filtered by a name substring, with the total count."""
    type_ = type.entity_type if type else None
    data = engine.store.entities(type_, q or None, offset + limit)[offset:]
    return EntityList(data=data, count=engine.store.total_entities(type_, q or None))


@router.get(
    "/{type}/{name:path}",
    response_model=EntityDetail,
    responses={200: {"links": DETAIL_LINKS}, **errors(404, 422, 503)},
    summary="An entity, its papers, co-occurring entities",
)
def get_entity(
    engine: EngineDep,
    type: Annotated[BrowsableType, Path(description=TYPE_HELP, examples=[examples.ENTITY_TYPE])],
    name: Annotated[
        str,
        Path(
            min_length=1,
            max_length=MAX_FILTER_CHARS,
            description="Canonical name (any case) or node id, as listed by GET /entities.",
            examples=[examples.ENTITY_NAME],
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Most papers and co-occurring entities (1-1000).", examples=[20])
    ] = 50,
) -> EntityDetail:
    """The entity with its paper count, its papers (evidence sentence included) and the entities that share
    papers with it most."""
    detail = engine.store.entity(type.entity_type, name, limit)
    if detail is None:
        raise NotFoundError(
            f"no {type.value} named {name!r}; list the names with GET /entities?type={type.value}&q=..."
        )
    return detail
