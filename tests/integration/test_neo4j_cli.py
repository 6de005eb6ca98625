"""The CLI against a real Bolt server: ingest straight into it, search it, export an embedded graph to it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from commands import run_python
from integration.bolt_server import TEST_BATCH_BYTES, BoltTarget, clean_database, healthy, query

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = run_python("papergraph.cli", *args, env=env)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def env(bolt_target: BoltTarget, neo4j_driver: Any, tmp_path: Path) -> dict[str, str]:
    healthy(bolt_target)
    clean_database(bolt_target, neo4j_driver)
    return {
        **os.environ,
        "PAPERGRAPH_DATA_DIR": str(tmp_path),
        "NEO4J_URI": bolt_target.uri,
        "NEO4J_USER": bolt_target.auth[0],
        "NEO4J_PASSWORD": bolt_target.auth[1],
        "PAPERGRAPH_NEO4J_BATCH_BYTES": str(TEST_BATCH_BYTES),
        "PAPERGRAPH_NEO4J_BATCH_ROWS": "40",
        "PAPERGRAPH_NEO4J_TIMEOUT_S": "10",
    }


def _papers_on_server(neo4j_driver: Any, bolt_target: BoltTarget) -> set[str]:
    return {r["id"] for r in query(bolt_target, neo4j_driver, "MATCH (p:Paper) RETURN p.id AS id")}


def test_ingest_into_neo4j_then_search_with_graph_filter(
    env: dict[str, str], neo4j_driver: Any, bolt_target: BoltTarget
) -> None:
    report = json.loads(_cli("--graph", "neo4j", "ingest", str(FIXTURES / "mini.jsonl"), "--json", env=env).stdout)
    assert report["added"] == 10 and report["graph"]["nodes"]["Paper"] == 10
    ids = {json.loads(line)["id"] for line in (FIXTURES / "mini.jsonl").read_text().splitlines()}
    assert _papers_on_server(neo4j_driver, bolt_target) == ids
    again = json.loads(_cli("--graph", "neo4j", "ingest", str(FIXTURES / "mini.jsonl"), "--json", env=env).stdout)
    assert again["links_written"] == 0 and again["graph"] == report["graph"]  # idempotent
    found = json.loads(_cli("--graph", "neo4j", "search", "LLM", "--hardware", "FPGA", "--json", env=env).stdout)
    assert found["count"] >= 1 and all("FPGA" in json.dumps(hit["entities"]) for hit in found["data"])


def test_export_embedded_graph_with_embeddings(env: dict[str, str], neo4j_driver: Any, bolt_target: BoltTarget) -> None:
    _cli("ingest", str(FIXTURES / "mini.jsonl"), env=env)  # embedded networkx graph
    done = _cli("export-neo4j", "--with-embeddings", env=env)
    assert "exported 10 papers" in done.stdout and "10 embeddings" in done.stdout
    records = query(bolt_target, neo4j_driver, "MATCH (p:Paper) RETURN p.id AS id, size(p.embedding) AS dim")
    assert len(records) == 10 and {r["dim"] for r in records} == {384}
    _cli("export-neo4j", env=env)  # a second export leaves the same papers
    assert len(_papers_on_server(neo4j_driver, bolt_target)) == 10
