"""The Neo4j store over time (fake models, the Bolt test server): bounded reads, deadlines, a graph that runs
ahead of the index and is repaired, and sync/delete histories that answer like a fresh ingest."""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase
from test_graph_contract import random_corpus

from commands import run_python
from integration.bolt_server import (
    TEST_BATCH_BYTES,
    BoltRelay,
    BoltTarget,
    clean_database,
    query,
    uri_host_port,
)
from papergraph.atomic import CommitPoint
from papergraph.config import GraphBackend, Settings
from papergraph.errors import GraphUnavailableError, QueryError
from papergraph.graph.neo4j_store import CONNECTION_TIMEOUT_S, Neo4jStore, connect_timeout
from papergraph.ingest import delete, ingest, status
from papergraph.models import EntityType
from support import HashEncoder, PaperExtractor, load_engine, observable

pytestmark = pytest.mark.integration


def test_long_filter_lists_are_split_under_the_byte_budget(neo4j_store: Neo4jStore, bolt_target: BoltTarget) -> None:
    neo4j_store.upsert(random_corpus(random.Random(2), 8))
    values = [f"{'x' * 190}{i:03d}" for i in range(20)] + ["FPGA"]  # 20 values of 200 characters, as /search allows
    found = neo4j_store.papers_for({EntityType.HARDWARE: values, EntityType.TECHNIQUE: ["quantization"] * 20})
    assert found == neo4j_store.papers_for({EntityType.HARDWARE: ["FPGA"], EntityType.TECHNIQUE: ["quantization"]})
    assert bolt_target.server is None or bolt_target.server.alive()
    with pytest.raises(QueryError, match="neo4j_batch_bytes"):  # one value bigger than a message: a 4xx, not a crash
        neo4j_store.papers_for({EntityType.HARDWARE: ["y" * 4000]})
    # the fixture asserts afterwards that no message went over the budget


def test_a_server_that_stops_answering_fails_within_the_deadline(bolt_target: BoltTarget) -> None:
    relay = BoltRelay(uri_host_port(bolt_target.uri), parse=bolt_target.is_falkordb)
    driver = GraphDatabase.driver(relay.uri, auth=bolt_target.auth, connection_timeout=2.0)
    store = Neo4jStore(driver, bolt_target.database, location=relay.uri, timeout=2.0, batch_bytes=TEST_BATCH_BYTES)
    try:
        store.paper_ids()
        relay.stalled = True
        started = time.monotonic()
        with pytest.raises(GraphUnavailableError, match=r"did not answer within 2 s.*PAPERGRAPH_NEO4J_TIMEOUT_S"):
            store.paper_ids()
        assert time.monotonic() - started < 10
    finally:
        relay.stalled = False
        relay.close()


# --------------------------------------------------------------------------------------------------
# Ingest histories on Neo4j
# --------------------------------------------------------------------------------------------------

TOPICS = ["LLM decoding on an FPGA", "split computing on a Jetson", "vLLM serving with quantization on a GPU"]


def record(i: int, version: int = 1) -> dict[str, Any]:
    topic = TOPICS[i % len(TOPICS)]
    return {"id": f"n{i:02d}", "title": f"Paper {i} about {topic}", "abstract": f"We study {topic}, version {version}."}


def write(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def neo4j_settings(bolt_target: BoltTarget, neo4j_driver: Any, tmp_path: Path) -> Iterator[Settings]:
    clean_database(bolt_target, neo4j_driver)
    yield Settings(
        data_dir=tmp_path / "data",
        graph=GraphBackend.NEO4J,
        neo4j_uri=bolt_target.uri,
        neo4j_user=bolt_target.auth[0],
        neo4j_password=bolt_target.auth[1],
        neo4j_database=bolt_target.database,
        neo4j_batch_bytes=TEST_BATCH_BYTES,
        neo4j_batch_rows=40,
        neo4j_timeout_s=10,
    )


def run(paths: Sequence[Path], settings: Settings, **kwargs: Any) -> Any:
    return ingest(list(paths), settings, encoder=HashEncoder(), extractor=PaperExtractor(), **kwargs)


def test_history_on_neo4j_answers_like_a_fresh_ingest(
    neo4j_settings: Settings, bolt_target: BoltTarget, neo4j_driver: Any, tmp_path: Path
) -> None:
    a = write(tmp_path / "a.jsonl", [record(i) for i in range(9)])
    b = write(tmp_path / "b.jsonl", [record(i) for i in range(6, 12)])
    fix = write(tmp_path / "fix.jsonl", [record(2, version=2)])
    run([a], neo4j_settings)
    run([b], neo4j_settings)
    run([fix], neo4j_settings)
    delete(["n04", "n10"], neo4j_settings)
    final = write(tmp_path / "final.jsonl", [record(i) for i in range(12) if i not in (0, 4)])
    run([final, fix], neo4j_settings, sync=True)
    history = observable(neo4j_settings)
    assert history["stats"]["consistency"]["agree"]

    clean_database(bolt_target, neo4j_driver)
    fresh = neo4j_settings.model_copy(update={"data_dir": tmp_path / "fresh"})
    run([final, fix], fresh)
    assert observable(fresh) == history


def test_a_graph_ahead_of_the_index_is_tolerated_reported_and_repaired(
    neo4j_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write(tmp_path / "a.jsonl", [record(i) for i in range(6)])
    run([a], neo4j_settings)
    more = write(tmp_path / "more.jsonl", [record(i) for i in range(6, 9)])

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies after the graph writes, before the commit

    monkeypatch.setattr(CommitPoint, "commit", killed)
    with pytest.raises(KeyboardInterrupt):
        run([more], neo4j_settings)
    monkeypatch.undo()

    check = status(neo4j_settings).consistency
    assert not check.agree and check.only_in_graph == 3 and check.only_in_index == 0
    engine = load_engine(neo4j_settings)  # readers see the committed generation; the extra papers are skipped
    assert sorted(engine.index.papers) == [f"n{i:02d}" for i in range(6)]
    answer = engine.asker.ask("Which papers use FPGAs?", k=20)
    assert {p.id for p in answer.papers} <= set(engine.index.papers)
    hits = engine.searcher.search("FPGA decoding", k=20, filters=None)
    assert {h.id for h in hits.data} <= set(engine.index.papers)
    engine.close()

    report = run([a], neo4j_settings)  # the next ingest, whatever its input, repairs the graph
    assert report.repaired == 3 and status(neo4j_settings).consistency.agree
    assert load_engine(neo4j_settings).store.paper_ids() == {f"n{i:02d}" for i in range(6)}


def test_a_graph_behind_the_index_is_repaired(
    neo4j_settings: Settings, bolt_target: BoltTarget, neo4j_driver: Any, tmp_path: Path
) -> None:
    a = write(tmp_path / "a.jsonl", [record(i) for i in range(5)])
    run([a], neo4j_settings)
    query(bolt_target, neo4j_driver, "MATCH (p:Paper {id: 'n01'}) DETACH DELETE p")  # another process deleted it
    check = status(neo4j_settings).consistency
    assert (check.agree, check.only_in_index, check.examples) == (False, 1, ["n01"])
    assert run([a], neo4j_settings).repaired == 1
    assert status(neo4j_settings).consistency.agree


@pytest.mark.parametrize("stall_after", [0, 60], ids=["at-connect", "mid-export"])
def test_export_to_a_server_that_stops_answering_fails_with_a_clear_message(
    bolt_target: BoltTarget, neo4j_driver: Any, tmp_path: Path, stall_after: int
) -> None:
    clean_database(bolt_target, neo4j_driver)
    data = tmp_path / "data"
    run([write(tmp_path / "a.jsonl", [record(i) for i in range(12)])], Settings(data_dir=data))
    relay = BoltRelay(uri_host_port(bolt_target.uri), parse=bolt_target.is_falkordb)
    relay.stall_after = stall_after
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "PAPERGRAPH_"))}
    env.update(
        PAPERGRAPH_DATA_DIR=str(data),
        NEO4J_URI=relay.uri,
        NEO4J_USER=bolt_target.auth[0],
        NEO4J_PASSWORD=bolt_target.auth[1],
        PAPERGRAPH_NEO4J_TIMEOUT_S="2",
        PAPERGRAPH_NEO4J_BATCH_ROWS="4",
        PAPERGRAPH_NEO4J_BATCH_BYTES=str(TEST_BATCH_BYTES),
    )
    try:
        started = time.monotonic()
        done = run_python("papergraph.cli", "export-neo4j", env=env)
    finally:
        relay.close()
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "did not answer within 2 s" in done.stderr and "PAPERGRAPH_NEO4J_TIMEOUT_S" in done.stderr
    if stall_after:
        assert re.search(r"export stopped after \d+ of 12 papers", done.stderr), done.stderr
        assert "run the command again" in done.stderr
    assert time.monotonic() - started < 60


def test_the_drivers_connect_timeout_never_races_a_short_deadline() -> None:
    """A deadline at or under the driver's connect timeout decides first (its message names the setting)."""
    assert connect_timeout(60.0) == CONNECTION_TIMEOUT_S
    assert all(connect_timeout(d) > d for d in (0.5, 2.0, CONNECTION_TIMEOUT_S))
