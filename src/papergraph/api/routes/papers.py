"""One paper with its entities, metrics and evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from papergraph.api.deps import EngineDep
from papergraph.api.schemas import ERRORS
from papergraph.errors import NotFoundError
from papergraph.models import PaperRecord

router = APIRouter(prefix="/papers", tags=["papers"], responses=ERRORS)


@router.get("/{paper_id:path}", response_model=PaperRecord, summary="A paper, its entities and metrics")
def get_paper(engine: EngineDep, paper_id: Annotated[str, Path(min_length=1, max_length=200)]) -> PaperRecord:
    record = engine.store.paper(paper_id)
    if record is None:
        raise NotFoundError(f"unknown paper id {paper_id!r}")
    return record
