"""``export_graph``: the embedded graph pushed to Neo4j, with embeddings, idempotently; and the schema probe."""

from __future__ import annotations

import random
from typing import Any

import pytest
from test_graph_contract import corpus, doc, random_corpus, snapshot

from integration.bolt_server import BoltTarget, query
from papergraph.graph.export import export_graph
from papergraph.graph.neo4j_store import Neo4jStore
from papergraph.graph.networkx_store import NetworkxStore

pytestmark = pytest.mark.integration

DIM = 384  # all-MiniLM-L6-v2: over the 4 KB budget as exact floats, so every vector is written in parts


def _embedding(driver: Any, target: BoltTarget, paper_id: str) -> list[float] | None:
    records = query(target, driver, "MATCH (p:Paper {id: $id}) RETURN p.embedding AS embedding", {"id": paper_id})
    return records[0]["embedding"] if records else None


def test_export_is_the_embedded_graph_and_is_idempotent(
    bolt_target: BoltTarget, neo4j_driver: Any, neo4j_store: Neo4jStore
) -> None:
    source = NetworkxStore()
    source.upsert(corpus() + random_corpus(random.Random(11), 12))
    rng = random.Random(0)
    vectors = {pid: [rng.uniform(-1, 1) for _ in range(DIM)] for pid in sorted(source.paper_ids())}
    vectors["not-a-paper"] = [0.5] * DIM

    stats = export_graph(source, neo4j_store, vectors)
    graph = source.stats()
    assert stats.papers == graph.nodes["Paper"]
    assert stats.nodes == sum(graph.nodes.values())
    assert stats.relationships == sum(graph.relationships.values())
    expected = snapshot(source)
    assert snapshot(neo4j_store) == expected
    assert _embedding(neo4j_driver, bolt_target, "p1") == vectors["p1"]  # exact floats
    assert _embedding(neo4j_driver, bolt_target, "not-a-paper") is None

    assert export_graph(source, neo4j_store, vectors) == stats
    assert snapshot(neo4j_store) == expected
    assert export_graph(source, neo4j_store) == stats  # without vectors: unchanged papers keep theirs
    assert _embedding(neo4j_driver, bolt_target, "p2") == vectors["p2"]

    neo4j_store.upsert([doc("p2", "A new version of p2")])  # new text: its old vector no longer fits
    assert _embedding(neo4j_driver, bolt_target, "p2") is None
    assert _embedding(neo4j_driver, bolt_target, "p3") == vectors["p3"]


def test_set_embeddings_counts_papers(neo4j_store: Neo4jStore) -> None:
    neo4j_store.upsert(corpus())
    assert neo4j_store.set_embeddings({"p1": [0.25] * 8, "p2": [1e-9] * 8, "nope": [1.0] * 8}) == 2
    assert neo4j_store.set_embeddings({}) == 0


def test_schema_probe(bolt_target: BoltTarget, neo4j_store: Neo4jStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="papergraph.graph.neo4j_store")
    neo4j_store.ensure_schema()
    assert neo4j_store.is_neo4j is (not bolt_target.is_falkordb)
    if bolt_target.is_falkordb:
        assert "not Neo4j" in caplog.text
    neo4j_store.ensure_schema()  # once per store: nothing runs again
    neo4j_store.upsert(corpus())
    assert neo4j_store.stats().nodes["Paper"] == 5


def test_neo4j_schema_is_applied(bolt_target: BoltTarget, neo4j_driver: Any, neo4j_store: Neo4jStore) -> None:
    if bolt_target.is_falkordb:
        pytest.skip("schema.cypher is Neo4j-only (set NEO4J_URI to run this against Neo4j)")
    neo4j_store.ensure_schema()
    records = query(bolt_target, neo4j_driver, "SHOW CONSTRAINTS YIELD labelsOrTypes")
    labels = {label for r in records for label in r["labelsOrTypes"]}
    assert {"Paper", "Hardware", "Technique", "System", "Dataset", "Metric"} <= labels
    records = query(bolt_target, neo4j_driver, "SHOW INDEXES YIELD name")
    assert {"paper_text", "hardware_type", "metric_kind"} <= {r["name"] for r in records}
