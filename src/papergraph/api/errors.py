"""Map PaperGraph errors to HTTP answers: a clear message and a 4xx (503 for a missing backend), never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from papergraph.errors import (
    ConfigError,
    GraphUnavailableError,
    IndexMismatchError,
    IndexNotFoundError,
    NotFoundError,
    PaperGraphError,
    QueryError,
)

log = logging.getLogger(__name__)

STATUS: list[tuple[type[PaperGraphError], int]] = [
    (NotFoundError, 404),
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
        problems = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err.get("loc", ()) if part != "body")
            problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", "invalid"))
        return JSONResponse(status_code=422, content={"detail": "; ".join(problems) or "invalid request"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - a bug
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error; see the server log"})
