"""A small HTTP client for a running PaperGraph server, so ``papergraph ask`` and ``search`` need not load anything.

Standard library only (urllib): importing it costs nothing. ``find_server`` returns the server to use: the one
``PAPERGRAPH_URL`` names, or one answering on the configured host and port that serves the same index as the
local data directory (same paper count and model), else None (the command then answers locally).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from papergraph.config import Settings
from papergraph.errors import PaperGraphError, QueryError

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 0.3
REQUEST_TIMEOUT_S = 60.0


class ServerError(PaperGraphError):
    """The server could not be reached or failed (5xx)."""


def _call(url: str, body: dict[str, Any] | None = None, timeout: float = REQUEST_TIMEOUT_S) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", exc.reason)
        except (ValueError, AttributeError):
            detail = exc.reason
        if exc.code < 500:
            raise QueryError(str(detail)) from exc
        raise ServerError(f"{url} failed ({exc.code}): {detail}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ServerError(f"cannot reach the PaperGraph server at {url}: {exc}") from exc


def _local_manifest(settings: Settings) -> dict[str, Any]:
    """What the data directory's commit point records about its index (count, model), or {}."""
    from papergraph.atomic import CommitPoint

    try:
        commit = CommitPoint(settings.index_dir).current()
    except PaperGraphError:
        return {}
    part = commit.part("index") if commit else None
    return dict(part or {})


def find_server(settings: Settings) -> str | None:
    """The base URL to send requests to, or None to answer locally."""
    if settings.url:
        return settings.url.rstrip("/")
    url = f"http://{settings.host}:{settings.port}"
    try:
        health = _call(f"{url}/health", timeout=PROBE_TIMEOUT_S)
    except PaperGraphError:
        return None
    manifest = _local_manifest(settings)
    same = (
        isinstance(health, dict)
        and health.get("status") == "ok"
        and health.get("papers") == manifest.get("count")
        and health.get("model") == manifest.get("model")
        and health.get("graph") == settings.graph.value
    )
    if not same:
        log.info("a server answers on %s but serves another index: answering locally", url)
    return url if same else None


def post(base: str, path: str, body: dict[str, Any]) -> Any:
    """POST a JSON body; 4xx answers raise QueryError with the server's detail, others ServerError."""
    return _call(f"{base}{path}", body)


__all__ = ["ServerError", "find_server", "post"]
