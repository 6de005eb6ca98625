"""The FastAPI application: heavy state (model, index, graph) is built once in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from papergraph import __version__
from papergraph.api import errors, ui
from papergraph.api.reload import Reloader
from papergraph.api.routes import ask, entities, explore, graph, meta, papers, search
from papergraph.api.schemas import apply_limits
from papergraph.config import Settings, get_settings
from papergraph.errors import IndexNotFoundError
from papergraph.query import Engine

log = logging.getLogger(__name__)

DESCRIPTION = """Semantic search and a knowledge graph over research-paper abstracts.

* **search**: dense + BM25 similarity search with graph filters, and "more like this".
* **ask**: natural-language questions answered from the graph, with evidence sentences.
* **papers / entities / graph**: browse the extracted hardware, techniques, systems, datasets and metrics.
"""


DOCS_ASSETS = "/docs-assets"


def operation_id(route: APIRoute) -> str:
    """The OpenAPI operationId is the route function's name: what generated clients call (``search_get``)."""
    return route.name


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """An app serving ``engine`` (tests inject one) or the Engine loaded from ``settings`` at start-up.

    With ``settings`` (always, outside tests) the app follows the data directory: a newer generation is
    loaded and served without a restart (:class:`~papergraph.api.reload.Reloader`).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        if own:
            try:
                app.state.engine = Engine.load(app.state.settings, serving=True)
            except IndexNotFoundError as exc:
                log.error("%s (serving as soon as an ingest commits one)", exc)
                app.state.engine = None
        else:
            app.state.engine = engine
        reloader = Reloader(app, app.state.settings) if own or settings is not None else None
        app.state.reloader = reloader
        if reloader is not None:
            reloader.start()
        try:
            yield
        finally:
            if reloader is not None:
                reloader.stop()
            if own and app.state.engine is not None:
                app.state.engine.close()

    app = FastAPIOffline(  # /docs and /redoc with Swagger UI and ReDoc served by the app itself, no CDN
        title="PaperGraph",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
        generate_unique_id_function=operation_id,
        swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
    )
    app.state.engine = engine  # an injected engine serves at once, even without the lifespan (tests)
    app.state.settings = settings or (engine.settings if engine is not None else get_settings())
    app.state.reloader = None
    errors.install(app)
    for module in (meta, search, ask, papers, entities, graph, explore):
        app.include_router(module.router)
    ui.install(app)
    _state_limits_in_schema(app, app.state.settings)
    return app


def _state_limits_in_schema(app: FastAPI, settings: Settings) -> None:
    """/openapi.json states the request limits of ``settings`` (max_k, max_query_chars), which the routes enforce."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = apply_limits(generate(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to amend the schema
