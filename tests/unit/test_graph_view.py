"""Readers tolerate a graph that is ahead of (or behind) the index: skip and log, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papergraph.api.app import create_app
from papergraph.config import Settings
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.index import LexicalIndex, VectorIndex
from papergraph.models import EntityType
from papergraph.query import Engine
from support import DIM, HashEncoder, KeywordExtractor, sample_docs


@pytest.fixture
def client() -> TestClient:
    """The graph holds p-fpga, p-jetson and p-gpu; the index lacks p-gpu and holds p-extra the graph lacks."""
    docs = sample_docs()
    encoder = HashEncoder()
    store = NetworkxStore(None)
    store.upsert(docs)
    indexed = [d.paper for d in docs[:2]] + [docs[2].paper.model_copy(update={"id": "p-extra"})]
    index = VectorIndex(DIM, encoder.model_id)
    index.upsert(indexed, encoder.encode([p.text for p in indexed]))
    engine = Engine(Settings(), encoder, index, LexicalIndex(indexed), store, KeywordExtractor())  # type: ignore[arg-type]
    return TestClient(create_app(engine=engine), raise_server_exceptions=False)


def test_papers_outside_the_index_are_skipped(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    assert client.get("/papers/p-gpu").status_code == 404  # in the graph only: gone for readers
    assert client.get("/papers/p-extra").json()["entities"] == []  # in the index only: no entities yet
    found = client.get("/search", params=[("q", "LLM"), ("hardware", "GPU"), ("hardware", "FPGA")])
    assert found.status_code == 200 and {h["id"] for h in found.json()["data"]} == {"p-fpga"}
    for question in ("Which papers use GPUs?", "Which papers run vLLM on GPUs?", "GPU vs FPGA for LLM serving"):
        answer = client.post("/ask", json={"question": question})
        assert answer.status_code == 200, answer.text
        assert "p-gpu" not in {p["id"] for p in answer.json()["papers"]}
    detail = client.get("/entities/hardware/NVIDIA A100").json()
    assert detail["papers"] == []
    graph = client.get("/graph/neighbors", params={"node": "hardware:nvidia-a100"}).json()
    assert "p-gpu" not in {n["id"] for n in graph["nodes"]}
    assert client.get("/graph/neighbors", params={"node": "p-gpu"}).status_code == 404
    assert "the graph holds 1 paper(s) the index does not (p-gpu)" in caplog.text
    assert caplog.text.count("p-gpu") == 1  # logged once, not at every request


def test_view_filters_ids_and_hashes() -> None:
    docs = sample_docs()
    store = NetworkxStore(None)
    store.upsert(docs)
    from papergraph.graph.view import IndexedView

    view = IndexedView(store, {"p-fpga": docs[0].paper})
    assert view.paper_ids() == {"p-fpga"} and set(view.paper_hashes()) == {"p-fpga"}
    assert view.papers_for({EntityType.HARDWARE: ["FPGA", "GPU"]}) == {"p-fpga"}
