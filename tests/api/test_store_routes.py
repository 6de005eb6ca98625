"""The service over a real data directory (fake models): DELETE with the admin token, /health, live reload."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from papergraph.api.app import create_app
from papergraph.config import Settings
from papergraph.ingest import ingest
from support import HashEncoder, PaperExtractor, load_engine

TOKEN = "s3cret-admin-token"


def _papers(prefix: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}{i}",
            "title": f"{prefix} paper {i} on FPGA decoding: {prefix}word{i}",
            "abstract": f"We run {prefix} decoding {i} on an FPGA and a GPU with quantization.",
        }
        for i in range(n)
    ]


def _ingest(path: Path, records: list[dict[str, Any]], settings: Settings) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest([path], settings, encoder=HashEncoder(), extractor=PaperExtractor())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", admin_token=TOKEN, reload_interval_s=0.2)  # type: ignore[arg-type]
    _ingest(tmp_path / "a.jsonl", _papers("a", 4), settings)
    return settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, engine=load_engine(settings))
    with TestClient(app, raise_server_exceptions=False) as client:  # runs the lifespan: the reloader too
        yield client


def test_delete_needs_the_admin_token(client: TestClient) -> None:
    assert client.delete("/papers/a1").status_code == 403
    wrong = client.delete("/papers/a1", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and "admin token" in wrong.json()["detail"]
    assert client.delete("/papers/a1", headers={"Authorization": TOKEN}).status_code == 403  # no "Bearer"
    assert client.get("/papers/a1").status_code == 200


def test_delete_is_disabled_without_a_configured_token(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    _ingest(tmp_path / "a.jsonl", _papers("a", 2), settings)
    with TestClient(create_app(settings, engine=load_engine(settings))) as client:
        r = client.delete("/papers/a1", headers={"Authorization": "Bearer anything"})
    assert r.status_code == 403 and "PAPERGRAPH_ADMIN_TOKEN" in r.json()["detail"]


def test_delete_removes_the_paper_from_every_answer_at_once(client: TestClient) -> None:
    before = client.get("/health").json()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = client.delete("/papers/a1", headers=auth)
    assert r.status_code == 200
    assert r.json() == {"deleted": "a1", "papers": 3, "generation": before["generation"] + 1}
    assert client.get("/papers/a1").status_code == 404
    found = client.get("/search", params={"q": "aword1 FPGA decoding", "k": 10}).json()
    assert "a1" not in {h["id"] for h in found["data"]} and found["count"] == 3
    asked = client.post("/ask", json={"question": "Which papers use FPGAs?"}).json()
    assert asked["matched"] == 3
    health = client.get("/health").json()
    assert (health["papers"], health["generation"]) == (3, before["generation"] + 1)
    assert client.delete("/papers/a1", headers=auth).status_code == 404


def test_a_new_generation_is_served_without_a_restart(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    first = client.get("/health").json()
    assert first["papers"] == 4 and first["generation"] == 1
    _ingest(tmp_path / "b.jsonl", _papers("b", 3), settings)  # another process would do the same
    deadline = time.monotonic() + 5
    while client.get("/health").json()["generation"] != 2:
        assert time.monotonic() < deadline, "the new generation was not served within 5 s"
        time.sleep(0.1)
    assert client.get("/health").json()["papers"] == 7
    assert client.get("/papers/b2").status_code == 200
    found = client.get("/search", params={"q": "bword2", "k": 3}).json()
    assert found["data"][0]["id"] == "b2"
