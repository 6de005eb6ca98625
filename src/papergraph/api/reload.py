"""Live reload: the service notices a newer generation of the data directory and switches to it.

A background thread reads the small manifest every ``reload_interval_s`` seconds. When an ingest (or a delete)
has committed a newer generation, it loads that generation beside the one being served (sharing the model,
the extractor and a Neo4j connection), warms it, and only then swaps the engine requests get. A request that
started on the old engine finishes on it; nothing waits, nothing restarts. A generation that fails to load
is logged and the old one stays in service; the next check tries again.
"""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI

from papergraph.atomic import CommitPoint
from papergraph.config import Settings
from papergraph.errors import PaperGraphError
from papergraph.query import Engine

log = logging.getLogger(__name__)


class Reloader:
    """Keeps ``app.state.engine`` on the newest committed generation."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.point = CommitPoint(settings.index_dir)
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one load at a time (the poller and a DELETE request)
        self._thread = threading.Thread(target=self._run, name="generation-reloader", daemon=True)

    @property
    def engine(self) -> Engine | None:
        engine: Engine | None = getattr(self.app.state, "engine", None)
        return engine

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.settings.reload_interval_s):
            self.check()

    def check(self) -> bool:
        """Load and switch to the committed generation if it is not the one served; True when switched."""
        with self._lock:
            current = self.engine
            generation = self.point.generation()
            if generation is None or (current is not None and current.generation == generation):
                return False
            try:
                fresh = Engine.load(self.settings, serving=True, reuse=current)
            except PaperGraphError as exc:
                log.error("cannot load generation %s, still serving the previous one: %s", generation, exc)
                return False
            except Exception:  # a bug must not stop the service from answering with what it has
                log.exception("cannot load generation %s, still serving the previous one", generation)
                return False
            self.app.state.engine = fresh  # requests that already hold the old engine finish on it
            log.info(
                "now serving generation %s (%d papers; was %s)",
                fresh.generation,
                len(fresh.index),
                current.generation if current else "none",
            )
            return True
