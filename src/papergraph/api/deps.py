"""Request dependencies: the Engine built once at start-up, as an ``Annotated`` alias."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from papergraph.errors import IndexNotFoundError
from papergraph.query import Engine


def get_engine(request: Request) -> Engine:
    engine: Engine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        raise IndexNotFoundError(
            "the service has no index loaded: run `papergraph ingest` (the service picks it up by itself)"
        )
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
