"""The app's routes as served: included routers flattened, whatever the FastAPI version does with them.

Recent FastAPI keeps included routers as lazy entries in ``app.routes``; ``fastapi.routing.iter_route_contexts``
flattens them into contexts that read like the routes (path_format, methods, response_model, dependant, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import routing
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def api_routes(routes: Sequence[BaseRoute]) -> list[Any]:
    """Every API route (an APIRoute or its effective context), documentation routes included."""
    iter_contexts = getattr(routing, "iter_route_contexts", None)
    if iter_contexts is None:  # FastAPI before lazily included routers
        return [r for r in routes if isinstance(r, APIRoute)]
    return [ctx for ctx in iter_contexts(routes) if isinstance(ctx.original_route, APIRoute)]


def allowed_methods(routes: Sequence[BaseRoute], path: str) -> set[str]:
    """The HTTP methods some route serves at ``path``."""
    methods: set[str] = set()
    for route in api_routes(routes):
        if route.path_regex.match(path):
            methods.update(route.methods or ())
    return methods
