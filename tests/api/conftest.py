from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papergraph.api.app import create_app
from papergraph.query import Engine
from support import build_engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine=engine), raise_server_exceptions=False)
