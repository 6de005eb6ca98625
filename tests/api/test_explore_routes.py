"""The explorer's routes: the page and its assets, /graph/search, /graph/expand, /graph/path, /graph/subgraph,
/graph/overview."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from papergraph.api.routes.explore import get_catalog
from support import build_engine


def test_page_and_assets_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for testid in ("search-input", "ask-input", "graph-stats", "details"):
        assert f'data-testid="{testid}"' in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets == ["data:,", "ui/explorer.css", "ui/explorer.js"]  # nothing from another host
    for asset in assets[1:]:
        response = client.get(f"/{asset}")
        assert response.status_code == 200 and len(response.content) > 1000
    assert "sigma" in client.get("/ui/explorer.licenses.txt").text
    assert "/" not in client.get("/openapi.json").json()["paths"]  # the page is not an API route


def test_search_tolerates_misspellings_and_filters_labels(client: TestClient) -> None:
    body = client.get("/graph/search", params={"q": "jetsn nano"}).json()
    assert body["count"] == len(body["data"]) > 0
    top = body["data"][0]
    assert (top["id"], top["label"], top["name"]) == ("hardware:nvidia-jetson-nano", "Hardware", "NVIDIA Jetson Nano")
    assert top["properties"] == {"type": "edge-board", "family": "NVIDIA Jetson"}
    papers = client.get("/graph/search", params={"q": "vllm", "label": "Paper"}).json()["data"]
    assert [h["id"] for h in papers] == ["p-gpu"]
    assert client.get("/graph/search", params={"q": ""}).status_code == 422
    assert client.get("/graph/search", params={"q": "x", "label": "Metric"}).status_code == 422


def test_expand_gives_a_page_and_the_total(client: TestClient) -> None:
    body = client.get("/graph/expand", params={"node": "p-fpga", "limit": 2}).json()
    assert body["node"] == "p-fpga" and body["total"] == 4 and body["more"] == 2  # KV260, ternary, TeLLMe, 1 metric
    assert body["nodes"][0]["id"] == "p-fpga" and len(body["nodes"]) == 3
    assert body["nodes"][0]["papers"] == 1 and body["nodes"][0]["name"].startswith("TeLLMe")
    rest = client.get("/graph/expand", params={"node": "p-fpga", "limit": 10, "offset": 2}).json()
    assert rest["more"] == 0 and len(rest["nodes"]) == 3
    assert {n["id"] for n in body["nodes"][1:]}.isdisjoint(n["id"] for n in rest["nodes"][1:])
    missing = client.get("/graph/expand", params={"node": "hardware:nope"})
    assert missing.status_code == 404 and "unknown node" in missing.json()["detail"]


def test_path_found_and_not_found(client: TestClient) -> None:
    body = client.get("/graph/path", params={"source": "system:tellme", "target": "hardware:amd-kv260"}).json()
    assert body["found"] and body["hops"] == 2
    assert [n["name"] for n in body["nodes"]] == ["TeLLMe", "TeLLMe: ternary LLM decoding on edge FPGAs", "AMD KV260"]
    none = client.get("/graph/path", params={"source": "system:tellme", "target": "dataset:imagenet"}).json()
    assert none["found"] is False and none["nodes"] == []
    assert client.get("/graph/path", params={"source": "p-fpga", "target": "nope"}).status_code == 404
    assert client.get("/graph/path", params={"source": "p-fpga", "target": "p-gpu", "max_hops": 11}).status_code == 422


def test_subgraph_of_what_an_answer_used(client: TestClient) -> None:
    answer = client.post("/ask", json={"question": "Which papers use FPGAs?"}).json()
    ids = [p["id"] for p in answer["papers"]] + [m["id"] for p in answer["papers"] for m in p["metrics"]]
    entities = [{"type": e["type"], "name": e["name"]} for e in answer["entities"]]
    body = client.post("/graph/subgraph", json={"ids": ids, "entities": entities}).json()
    assert {n["id"] for n in body["nodes"]} >= {"p-fpga"}
    assert all(e["source"] in ids for e in body["edges"])
    bad = client.post("/graph/subgraph", json={"ids": ["p-fpga"], "entities": [{"type": "chip", "name": "x"}]})
    assert bad.status_code == 422
    assert client.post("/graph/subgraph", json={"nodes": []}).status_code == 422


def test_overview_has_counts_facets_style_and_top(client: TestClient) -> None:
    body = client.get("/graph/overview").json()
    assert body["nodes"]["Paper"] == 3
    assert body["hardware_types"] == ["edge-board", "FPGA", "GPU"]
    assert body["years"] is None  # the sample papers have no year
    assert body["style"]["nodes"]["Paper"]["caption"] == "{title}"
    assert body["top"] and all(hit["label"] != "Paper" for hit in body["top"])


def test_catalog_is_rebuilt_when_the_papers_change() -> None:
    engine = build_engine()
    first = get_catalog(engine)
    assert get_catalog(engine) is first
    engine.index.remove(["p-gpu"])
    assert get_catalog(engine) is not first
    assert "p-gpu" not in get_catalog(engine).entries
