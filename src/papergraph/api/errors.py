"""Map PaperGraph errors to HTTP answers: a clear message and a 4xx (503 for a missing backend), never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from papergraph.api.introspect import allowed_methods
from papergraph.api.schemas import BODY_HINT, describe_errors
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

FASTAPI_UNREADABLE_BODY = "There was an error parsing the body"
"""FastAPI answers 400 with this when a JSON body cannot even be decoded; PaperGraph answers 422 like any bad JSON."""

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
        detail = str(exc.detail)
        if exc.status_code == 400 and detail == FASTAPI_UNREADABLE_BODY:  # e.g. bytes that are not UTF-8
            reason = "not UTF-8 text" if isinstance(exc.__cause__, UnicodeDecodeError) else "unreadable"
            return JSONResponse(
                status_code=422, content={"detail": f"request body is not valid JSON ({reason}); {BODY_HINT}"}
            )
        if exc.status_code == 405:  # list every method the path allows, not just the first route's
            allowed = ", ".join(sorted(allowed_methods(request.app.router.routes, request.scope["path"])))
            headers["Allow"] = allowed
            detail = f"{request.method} is not allowed on {request.url.path}; use {allowed}"
        elif exc.status_code == 404 and detail == "Not Found":
            detail = f"no endpoint at {request.url.path}; the endpoints are listed at /docs"
        return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - a bug
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error; see the server log"})
