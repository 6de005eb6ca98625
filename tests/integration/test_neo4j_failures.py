"""The Neo4j store when things go wrong: nobody listening, wrong credentials, a server gone mid-ingest.

Every failure must surface as GraphUnavailableError with a message a user can act on, quickly, and must
leave no half-written batch: a re-run completes the graph.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase
from test_graph_contract import random_corpus, snapshot

from commands import run_python
from integration.bolt_server import (
    BOLT_PORT_RANGE,
    TEST_BATCH_BYTES,
    BoltRelay,
    BoltTarget,
    clean_database,
    free_port,
    start_test_server,
    uri_host_port,
    wait_answering,
)
from papergraph.config import GraphBackend, Settings
from papergraph.errors import GraphUnavailableError
from papergraph.graph.neo4j_store import Neo4jStore, Statement
from papergraph.graph.networkx_store import NetworkxStore

pytestmark = pytest.mark.integration


def _store(uri: str, target: BoltTarget, **kwargs: Any) -> Neo4jStore:
    driver = GraphDatabase.driver(uri, auth=target.auth, connection_timeout=2.0, max_transaction_retry_time=1.0)
    return Neo4jStore(driver, target.database, location=uri, owns_driver=True, **kwargs)


def test_nobody_listening_fails_fast(bolt_target: BoltTarget) -> None:
    uri = f"bolt://127.0.0.1:{free_port(*BOLT_PORT_RANGE)}"
    started = time.monotonic()
    with pytest.raises(GraphUnavailableError, match="cannot reach"):
        _store(uri, bolt_target)
    settings = Settings(graph=GraphBackend.NEO4J, neo4j_uri=uri)
    with pytest.raises(GraphUnavailableError, match=uri):
        Neo4jStore.from_settings(settings)
    assert time.monotonic() - started < 10


def test_wrong_credentials(bolt_target: BoltTarget) -> None:
    driver = GraphDatabase.driver(
        bolt_target.uri, auth=(bolt_target.auth[0], "surely-not-the-password"), connection_timeout=3.0
    )
    with pytest.raises(GraphUnavailableError, match="NEO4J_PASSWORD"):
        Neo4jStore(driver, bolt_target.database, location=bolt_target.uri, owns_driver=True)


class Outage:
    """Makes the Bolt server go away and come back: a killed FalkorDB, or a paused relay before Neo4j."""

    def __init__(self, target: BoltTarget, tmp_path: Path) -> None:
        if target.is_falkordb:
            self.server, self.relay = start_test_server(tmp_path / "falkordb")
        else:
            self.server = None
            self.relay = BoltRelay(uri_host_port(target.uri), parse=False)
        self.target = BoltTarget(self.relay.uri, target.auth, target.database, self.server, self.relay)

    def go(self) -> None:
        if self.server is not None:
            self.server.kill()
        self.relay.pause()

    def back(self) -> None:
        if self.server is not None:
            self.server.start()
        self.relay.resume()
        wait_answering(self.target)

    def close(self) -> None:
        self.relay.close()
        if self.server is not None:
            self.server.stop()


@pytest.fixture
def outage(bolt_target: BoltTarget, neo4j_driver: Any, tmp_path: Path) -> Iterator[Outage]:
    if not bolt_target.is_falkordb:
        clean_database(bolt_target, neo4j_driver)
    o = Outage(bolt_target, tmp_path)
    yield o
    o.close()


def _fail_on_call(store: Neo4jStore, n: int, action: Callable[[], None]) -> None:
    """Run ``action`` just before the n-th statement group of the store's writes (inside a transaction)."""
    run_all = store._run_all
    calls = 0

    def patched(tx: Any, statements: Any) -> list[dict[str, Any]]:
        nonlocal calls
        calls += 1
        if calls == n:
            action()
        return run_all(tx, statements)

    store._run_all = patched  # type: ignore[method-assign]


def test_server_gone_mid_ingest_then_rerun_completes(outage: Outage) -> None:
    docs = random_corpus(random.Random(3), 30)
    reference = NetworkxStore()
    reference.upsert(docs)
    store = _store(outage.target.uri, outage.target, batch_rows=25, batch_bytes=TEST_BATCH_BYTES)
    _fail_on_call(store, 5, outage.go)  # the 2nd transaction: after its drops, before its writes
    started = time.monotonic()
    with pytest.raises(GraphUnavailableError, match="run the same command again"):
        store.upsert(docs)
    assert time.monotonic() - started < 20
    outage.back()
    store = _store(outage.target.uri, outage.target, batch_rows=25, batch_bytes=TEST_BATCH_BYTES)
    # No half-written batch: whatever survived is whole papers, exactly as the reference holds them.
    for pid in store.paper_ids():
        assert store.paper(pid) == reference.paper(pid)
    store.upsert(docs)
    assert snapshot(store) == snapshot(reference)
    store.close()


def test_a_failed_batch_leaves_nothing(bolt_target: BoltTarget, neo4j_store: Neo4jStore) -> None:
    if bolt_target.is_falkordb:
        pytest.skip("FalkorDB's Bolt server commits each statement at once (no transactions to roll back)")
    docs = random_corpus(random.Random(5), 12)
    neo4j_store.batch_rows = 25
    first_batch = {u.paper["id"] for u in _first_transaction(neo4j_store, docs)}
    broken = neo4j_store._orphan_statements

    calls = 0

    def failing(*args: Any) -> list[Statement]:
        nonlocal calls
        calls += 1
        return broken(*args) + ([Statement("THIS IS NOT CYPHER", {})] if calls == 2 else [])

    neo4j_store._orphan_statements = failing  # type: ignore[method-assign]
    with pytest.raises(GraphUnavailableError):
        neo4j_store.upsert(docs)
    assert neo4j_store.paper_ids() == first_batch


def _first_transaction(store: Neo4jStore, docs: Any) -> list[Any]:
    from papergraph.graph.neo4j_store import _units
    from papergraph.graph.rows import to_rows

    return next(iter(store._transactions(_units(to_rows(docs)))))


def test_cli_runs_connect_again_and_again(bolt_target: BoltTarget, neo4j_store: Neo4jStore, tmp_path: Path) -> None:
    """`papergraph --graph neo4j stats` three times in a row (each run closes its driver: GOODBYE), then a
    run against a port nobody listens on: one line on stderr, exit status 1, no traceback."""
    neo4j_store.upsert(random_corpus(random.Random(1), 5))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "PAPERGRAPH_"))}
    env.update(
        PAPERGRAPH_GRAPH="neo4j",
        PAPERGRAPH_DATA_DIR=str(tmp_path),
        PAPERGRAPH_NEO4J_BATCH_BYTES=str(TEST_BATCH_BYTES),
        PAPERGRAPH_NEO4J_TIMEOUT_S="10",
        NEO4J_URI=bolt_target.uri,
        NEO4J_USER=bolt_target.auth[0],
        NEO4J_PASSWORD=bolt_target.auth[1],
    )
    if bolt_target.database:
        env["NEO4J_DATABASE"] = bolt_target.database
    cli = ["papergraph.cli", "stats", "--json"]
    for _ in range(3):
        done = run_python(*cli, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        body = json.loads(done.stdout)
        assert body["graph_backend"] == "neo4j"
        assert body["graph"] == neo4j_store.stats().model_dump()
    env["NEO4J_URI"] = f"bolt://127.0.0.1:{free_port(*BOLT_PORT_RANGE)}"
    done = run_python(*cli, env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot reach") and "Traceback" not in done.stderr
