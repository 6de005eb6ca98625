"""The bundled corpus in both graph stores: /search with graph filters and /ask return the same papers.

Also checks that the Cypher an answer shows, run on the Bolt server, selects the papers the answer used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from integration.bolt_server import TEST_BATCH_BYTES, BoltTarget, clean_database, healthy, query
from papergraph.api.app import create_app
from papergraph.config import GraphBackend, Settings
from papergraph.graph.neo4j_store import Neo4jStore
from papergraph.ingest import ingest
from papergraph.query import Engine

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[2] / "data" / "corpus"

SEARCHES = [
    {"q": "LLM inference on edge devices", "k": 10},
    {"q": "LLM inference", "hardware": ["FPGA"], "k": 20},
    {"q": "serving", "hardware": ["GPU"], "technique": ["quantization"], "k": 20},
    {"q": "energy", "hardware": ["NVIDIA Jetson", "Raspberry Pi"], "k": 20},
    {"q": "image classification", "dataset": ["ImageNet"], "k": 20},
    {"q": "mixture of experts", "technique": ["mixture of experts", "speculative decoding"], "k": 20},
]
QUESTIONS = [
    "Which papers run LLM decoding on FPGAs, and how fast?",
    "How many papers evaluate on NVIDIA Jetson devices?",
    "Which papers use knowledge distillation?",
    "What throughput does TeLLMe reach?",
    "GPUs vs FPGAs for LLM inference",
    "How can cold starts of serverless functions be reduced?",
    "Which papers use federated learning on smartphones?",
    "How many papers use NVIDIA GPUs?",
    "Which papers use quantizaton on Jetson boards?",
    "Which hardware do the most papers use?",
    "Which techniques co-occur with pruning?",
    "What is the highest throughput reported in tokens/s?",
    "Which paper reports the lowest power draw?",
    "Which paper handles the longest context length?",
    "Which deep learning frameworks are named most often?",
    "How many papers per year mention quantization?",
    "What is the melting point of tungsten?",
]


@pytest.fixture(scope="module")
def clients(
    tmp_path_factory: pytest.TempPathFactory, bolt_target: BoltTarget, neo4j_driver: Any
) -> Iterator[tuple[TestClient, TestClient, Neo4jStore]]:
    data_dir = tmp_path_factory.mktemp("cross")
    settings = Settings(data_dir=data_dir)
    first = ingest([CORPUS], settings)
    assert first.papers == 362 and first.bad == 0

    healthy(bolt_target)
    clean_database(bolt_target, neo4j_driver)
    store = Neo4jStore(
        neo4j_driver, bolt_target.database, batch_rows=40, batch_bytes=TEST_BATCH_BYTES, location=bolt_target.uri
    )
    to_neo4j = ingest([CORPUS], settings.model_copy(update={"graph": GraphBackend.NEO4J}), store=store)
    assert to_neo4j.added == 0 and to_neo4j.skipped == 362  # the index is shared: only the graph is written
    assert to_neo4j.graph == first.graph

    embedded = Engine.load(settings, warm=False)
    over_bolt = Engine(settings, embedded.encoder, embedded.index, embedded.lexical, store)
    yield TestClient(create_app(engine=embedded)), TestClient(create_app(engine=over_bolt)), store


@pytest.mark.parametrize("params", SEARCHES, ids=[str(i) for i in range(len(SEARCHES))])
def test_search_with_graph_filters_agrees(clients: tuple[TestClient, TestClient, Neo4jStore], params: dict) -> None:
    embedded, over_bolt, _ = clients
    a = embedded.post("/search", json=params).json()
    b = over_bolt.post("/search", json=params).json()
    assert a["count"] > 0
    assert [(h["id"], h["entities"]) for h in a["data"]] == [(h["id"], h["entities"]) for h in b["data"]]


@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_agrees_and_its_cypher_selects_the_same_papers(
    clients: tuple[TestClient, TestClient, Neo4jStore], question: str, bolt_target: BoltTarget, neo4j_driver: Any
) -> None:
    embedded, over_bolt, _ = clients
    a = embedded.post("/ask", json={"question": question, "k": 50}).json()
    b = over_bolt.post("/ask", json={"question": question, "k": 50}).json()
    for body in (a, b):
        body.pop("took_ms")
    assert a == b
    shown = a["graph_queries"][0] if a["graph_queries"] else None
    if a["interpretation"]["topics"]:
        return  # topics are matched in the paper text, after the graph query
    if shown is not None and a["intent"] in ("list", "count") and not a["fallback"]:
        rows = [r.data() for r in query(bolt_target, neo4j_driver, shown["cypher"], shown["params"])]
        if a["intent"] == "count":
            assert rows[0]["papers"] == a["matched"]
        else:
            assert len(rows) == a["matched"]
            assert {p["id"] for p in a["papers"]} <= {r["id"] for r in rows}
