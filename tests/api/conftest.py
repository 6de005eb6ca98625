from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from live_api import ingest_fixture, serve
from papergraph.api.app import create_app
from papergraph.query import Engine
from support import build_engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine=engine), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with tests/fixtures/mini.jsonl ingested by the real models, once per session."""
    return ingest_fixture(tmp_path_factory.mktemp("ingested"))


@pytest.fixture(scope="module")
def live_url(ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real app on uvicorn over its own copy of the ingested data (one per test module)."""
    with serve(ingested, tmp_path_factory.mktemp("live")) as url:
        yield url
