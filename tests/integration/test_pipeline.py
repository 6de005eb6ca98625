"""The whole pipeline with the real models: ingest, re-ingest, incremental add, failures, CLI, a real server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from commands import run_python
from papergraph.atomic import CommitPoint
from papergraph.config import Settings
from papergraph.graph import open_store
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.index import VectorIndex
from papergraph.ingest import ingest

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[1] / "fixtures"
CLI = [sys.executable, "-m", "papergraph.cli"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the 10-paper fixture ingested once for the module (the slow part: models load)."""
    path = tmp_path_factory.mktemp("data")
    report = ingest([FIXTURES / "mini.jsonl"], Settings(data_dir=path))
    assert report.added == 10 and report.bad == 0
    return path


def _copy(src: Path, dst: Path) -> Settings:
    shutil.copytree(src, dst)
    return Settings(data_dir=dst)


def test_first_ingest_fills_index_and_graph(data_dir: Path) -> None:
    index = VectorIndex.load(data_dir / "index")
    assert len(index) == 10 and index.dim == 384
    graph = open_store(Settings(data_dir=data_dir)).stats()
    assert graph.nodes["Paper"] == 10
    assert graph.nodes["Hardware"] > 0 and graph.nodes["Technique"] > 0 and graph.nodes["Metric"] > 0
    assert graph.relationships["MENTIONS"] > 10


def test_reingest_unchanged_costs_no_model_time(data_dir: Path, tmp_path: Path) -> None:
    settings = _copy(data_dir, tmp_path / "d")
    report = ingest([FIXTURES / "mini.jsonl"], settings)
    assert (report.added, report.updated, report.skipped) == (0, 0, 10)
    assert report.extracted == {}
    assert report.seconds["embed"] < 0.5 and report.seconds["extract"] < 0.5


def test_new_file_is_added_without_rebuilding_and_bad_lines_reported(data_dir: Path, tmp_path: Path) -> None:
    settings = _copy(data_dir, tmp_path / "d")
    generation = CommitPoint(settings.index_dir).generation()
    report = ingest([FIXTURES / "mini.jsonl", FIXTURES / "more.jsonl"], settings)
    assert report.added == 1 and report.skipped == 10
    assert report.bad == 2 and any("more.jsonl:2" in issue for issue in report.issues)
    manifest = CommitPoint(settings.index_dir).require().manifest
    assert manifest["papers"] == 11 and manifest["generation"] == (generation or 0) + 1


def test_failed_graph_write_leaves_previous_index_and_graph(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _copy(data_dir, tmp_path / "d")

    def files() -> dict[str, bytes]:
        return {str(p.relative_to(settings.index_dir)): p.read_bytes() for p in settings.index_dir.rglob("*.*")}

    before = files()

    def boom(self: NetworkxStore, papers: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(NetworkxStore, "upsert", boom)
    with pytest.raises(RuntimeError):
        ingest([FIXTURES / "more.jsonl"], settings)
    assert files() == before
    monkeypatch.undo()
    assert ingest([FIXTURES / "more.jsonl"], settings).added == 1  # the re-run completes


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_python("papergraph.cli", *args, env={**os.environ, "PAPERGRAPH_DATA_DIR": str(data_dir)})


def test_cli_search_json_matches_api_body_and_errors_are_one_line(data_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from papergraph.api.app import create_app
    from papergraph.query import Engine

    done = _run("search", "ternary LLM accelerator on FPGAs", "--json", "-k", "3", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    cli_body = json.loads(done.stdout)
    engine = Engine.load(Settings(data_dir=data_dir), warm=False)
    api_body = (
        TestClient(create_app(engine=engine))
        .get("/search", params={"q": "ternary LLM accelerator on FPGAs", "k": 3})
        .json()
    )
    for body in (cli_body, api_body):
        body.pop("took_ms")
    assert cli_body == api_body
    assert cli_body["data"][0]["title"].startswith("TeLLMe")

    bad = _run("search", "x", "-k", "500", data_dir=data_dir)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    missing = _run("search", "x", data_dir=data_dir.parent / "nowhere")
    assert missing.returncode == 1 and "papergraph ingest" in missing.stderr and "Traceback" not in missing.stderr


def _stop(proc: subprocess.Popen[Any]) -> None:
    """Stop a server process: SIGTERM, then SIGKILL if it is still there after 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "PAPERGRAPH_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(f"{url}/health", timeout=2).json().get("status") == "ok":
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not come up in 120 s")
            time.sleep(0.5)
        yield url
    finally:
        _stop(proc)


def test_real_server_over_http(server: str) -> None:
    found = httpx.get(f"{server}/search", params={"q": "split computing on Jetson", "k": 3}).json()
    assert found["count"] == 3
    assert any("Split" in hit["title"] or "BottleFit" in hit["title"] for hit in found["data"])
    answer = httpx.post(f"{server}/ask", json={"question": "Which papers run LLMs on FPGAs?"}).json()
    assert answer["papers"] and answer["graph_queries"]
    bad = httpx.get(f"{server}/search", params={"q": ""})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str)
    docs = httpx.get(f"{server}/openapi.json").json()
    assert {"/search", "/ask", "/papers/{paper_id}", "/graph/neighbors"} <= set(docs["paths"])


def test_concurrent_requests_are_safe(server: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    queries = ["split computing on Jetson", "ternary LLM accelerator", "federated learning", "serverless"] * 6

    def call(q: str) -> tuple[str, list[str]]:
        with httpx.Client(base_url=server, timeout=60) as client:
            found = client.get("/search", params={"q": q, "k": 5})
            asked = client.post("/ask", json={"question": f"Which papers are about {q}?"})
            assert found.status_code == 200 and asked.status_code == 200
            return q, [h["id"] for h in found.json()["data"]] + [p["id"] for p in asked.json()["papers"]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, queries))
    by_query: dict[str, set[tuple[str, ...]]] = {}
    for q, ids in results:
        by_query.setdefault(q, set()).add(tuple(ids))
    assert all(len(answers) == 1 for answers in by_query.values())  # same answer every time, under load


def test_serve_under_8_clients_picks_up_an_ingest_without_errors(data_dir: Path, tmp_path: Path) -> None:
    """The live-reload row of issue 10: 8 clients keep querying while another process ingests; no request
    fails and the new paper is served within seconds, without a restart."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    settings = _copy(data_dir, tmp_path / "d")
    port = _free_port()
    env = {**os.environ, "PAPERGRAPH_DATA_DIR": str(settings.data_dir), "PAPERGRAPH_RELOAD_INTERVAL_S": "0.5"}
    proc = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    stop = Event()
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).json().get("status") == "ok":
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not come up"
            time.sleep(0.5)
        generation = httpx.get(f"{url}/health").json()["generation"]

        def client(n: int) -> tuple[int, list[int]]:
            codes: list[int] = []
            with httpx.Client(base_url=url, timeout=60) as http:
                while not stop.is_set():
                    if n % 2:
                        r = http.get("/search", params={"q": f"LLM serving on {n} cloud accelerators", "k": 5})
                    else:
                        r = http.post("/ask", json={"question": "Which papers use FPGAs?"})
                    codes.append(r.status_code)
            return n, codes

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(client, n) for n in range(8)]
            try:  # the clients stop before the pool is left, even when an assertion fails (else: a hang)
                done = _run("ingest", str(FIXTURES / "more.jsonl"), data_dir=settings.data_dir)
                assert done.returncode == 0, done.stderr
                committed = time.monotonic()
                while httpx.get(f"{url}/health").json()["papers"] != 11:
                    assert time.monotonic() - committed < 5, "the new generation was not served within 5 s"
                    time.sleep(0.1)
            finally:
                stop.set()
            results = [f.result(timeout=120) for f in futures]
        codes = [code for _, c in results for code in c]
        assert len(codes) > 8 and set(codes) == {200}
        assert httpx.get(f"{url}/health").json()["generation"] == generation + 1
        found = httpx.get(f"{url}/search", params={"q": "Huawei CloudMatrix384", "k": 1}).json()
        assert found["data"][0]["title"] == "Serving Large Language Models on Huawei CloudMatrix384"
    finally:
        stop.set()
        _stop(proc)
