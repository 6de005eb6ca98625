"""Map PaperGraph errors to HTTP answers: a clear message and a 4xx (503 for a missing backend), never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from papergraph.api.schemas import describe_errors
from papergraph.errors import (
    ConfigError,
    GraphUnavailableError,
    IndexMismatchError,
    IndexNotFoundError,
    NotFoundError,
    PaperGraphError,
    PermissionDeniedError,
    QueryError,
    WriterBusyError,
)

log = logging.getLogger(__name__)

STATUS: list[tuple[type[PaperGraphError], int]] = [
    (NotFoundError, 404),
    (PermissionDeniedError, 403),
    (WriterBusyError, 503),
    (QueryError, 422),
    (IndexNotFoundError, 503),
    (IndexMismatchError, 503),
    (GraphUnavailableError, 503),
    (ConfigError, 503),
]


def _status(exc: PaperGraphError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(PaperGraphError)
    async def paper_graph_error(request: Request, exc: PaperGraphError) -> JSONResponse:
        return JSONResponse(status_code=_status(exc), content={"detail": str(exc)})

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": describe_errors(exc.errors())})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # list every method the path allows, not just the first route's
            methods: set[str] = set()
            for route in request.app.router.routes:
                match, _ = route.matches({**request.scope, "method": "GET"})
                if match is not Match.NONE:
                    methods.update(getattr(route, "methods", None) or ())
            headers["Allow"] = ", ".join(sorted(methods))
        return JSONResponse(status_code=exc.status_code, content={"detail": str(exc.detail)}, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - a bug
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error; see the server log"})
