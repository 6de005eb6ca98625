"""Browse entities: lists with paper counts, and one entity with its papers and co-occurring entities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from papergraph.api.deps import EngineDep
from papergraph.api.schemas import ERRORS
from papergraph.errors import NotFoundError, QueryError
from papergraph.models import EntityCount, EntityDetail, EntityType

router = APIRouter(prefix="/entities", tags=["entities"], responses=ERRORS)

BROWSABLE = [t.value for t in EntityType if t is not EntityType.METRIC]


class EntityList(BaseModel):
    data: list[EntityCount]
    count: int


def _type(value: str) -> EntityType:
    try:
        type_ = EntityType(value.casefold())
    except ValueError:
        raise QueryError(f"unknown entity type {value!r}; choose one of: {', '.join(BROWSABLE)}") from None
    if type_ is EntityType.METRIC:
        raise QueryError(f"metrics are listed per paper (GET /papers/{{id}}); choose one of: {', '.join(BROWSABLE)}")
    return type_


@router.get("", response_model=EntityList, summary="Entities with paper counts, most linked first")
def list_entities(
    engine: EngineDep,
    type: Annotated[str | None, Query(max_length=20, description=", ".join(BROWSABLE))] = None,
    q: Annotated[str | None, Query(max_length=200, description="Case-insensitive substring of the name.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> EntityList:
    data = engine.store.entities(_type(type) if type else None, q or None, limit)
    return EntityList(data=data, count=len(data))


@router.get("/{type}/{name:path}", response_model=EntityDetail, summary="An entity, its papers, co-occurring entities")
def get_entity(
    engine: EngineDep,
    type: Annotated[str, Path(max_length=20)],
    name: Annotated[str, Path(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> EntityDetail:
    type_ = _type(type)
    detail = engine.store.entity(type_, name, limit)
    if detail is None:
        raise NotFoundError(f"no {type_.value} named {name!r}; try GET /entities?type={type_.value}&q=...")
    return detail
