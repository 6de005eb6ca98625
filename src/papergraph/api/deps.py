"""Request dependencies: the Engine built once at start-up and the app's Settings, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from papergraph.config import Settings
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


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with (its request limits among them)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
