"""The explorer page: ``/`` serves ``static/index.html``, ``/ui/*`` the built script, style and licences.

Everything the page loads ships inside the package (built from ``ui/`` by ``make ui``); it fetches nothing
from anywhere but this server.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(str(resources.files("papergraph.api").joinpath("static")))


def install(app: FastAPI) -> None:
    """Serve the page at ``/`` and its assets under ``/ui``."""

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/ui", StaticFiles(directory=STATIC), name="ui")
