"""The HTTP API over a small hand-made graph: answers, and 4xx with a message for bad requests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papergraph.api.app import create_app
from papergraph.query import Engine


def test_health_and_stats(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    stats = client.get("/stats").json()
    assert stats["papers_indexed"] == 3 and stats["graph"]["nodes"]["Paper"] == 3


def test_search_get_and_post_agree(client: TestClient) -> None:
    got = client.get("/search", params={"q": "ternary LLM decoding", "k": 2}).json()
    posted = client.post("/search", json={"q": "ternary LLM decoding", "k": 2}).json()
    assert [h["id"] for h in got["data"]] == [h["id"] for h in posted["data"]]
    assert got["data"][0]["id"] == "p-fpga" and got["count"] == 2
    assert got["data"][0]["entities"]["hardware"] == ["AMD KV260"]


def test_search_with_repeated_filters_and_more_like_this(client: TestClient) -> None:
    r = client.get("/search", params=[("q", "LLM"), ("hardware", "GPU"), ("hardware", "FPGA")])
    assert {h["id"] for h in r.json()["data"]} == {"p-gpu", "p-fpga"}
    r = client.post("/search", json={"paper_id": "p-gpu", "k": 5})
    assert r.status_code == 200 and "p-gpu" not in {h["id"] for h in r.json()["data"]}


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "message"),
    [
        ("get", "/search", {"params": {"q": "  "}}, 422, "q: is blank; send some words"),
        ("get", "/search", {"params": {"k": 5}}, 422, "send q (query text), paper_id (more like this) or both"),
        ("post", "/search", {"json": {"q": None, "paper_id": None}}, 422, "send q (query text), paper_id"),
        ("post", "/search", {"json": {"q": "x", "k": True}}, 422, "k: must be a JSON integer such as 10, not bool"),
        ("post", "/search", {"json": {"q": "x", "k": "5"}}, 422, "k: must be a JSON integer such as 10, not str"),
        ("post", "/search", {"json": {"q": "x", "k": 2.5}}, 422, "k: Input should be a valid integer"),
        ("post", "/ask", {"json": {"question": "x", "k": False}}, 422, "k: must be a JSON integer"),
        ("get", "/search", {"params": {"q": "x", "mode": "fuzzy"}}, 422, "mode: Input should be 'hybrid'"),
        ("get", "/search", {"params": {"q": "x" * 1001}}, 422, "at most 1000"),
        ("get", "/search", {"params": {"q": "x", "k": 0}}, 422, "greater than or equal to 1"),
        ("get", "/search", {"params": {"q": "x", "k": 101}}, 422, "less than or equal to 100"),
        ("get", "/search", {"params": {"q": "x", "vendor": "nvidia"}}, 422, "unknown parameter"),
        ("post", "/search", {"json": {"q": "x", "color": ["red"]}}, 422, "color"),
        ("post", "/search", {"json": {"paper_id": "nope"}}, 404, "unknown paper"),
        ("post", "/ask", {"json": {"question": ""}}, 422, "question"),
        ("get", "/papers/nope", {}, 404, "unknown paper"),
        ("get", "/entities", {"params": {"type": "gadget"}}, 422, "type: Input should be 'hardware', 'technique'"),
        ("get", "/entities", {"params": {"type": "metric"}}, 422, "metrics are listed per paper: GET /papers/"),
        ("get", "/entities/Hardware/FPGA", {}, 422, "(got 'Hardware')"),
        ("patch", "/search", {}, 405, "PATCH is not allowed on /search; use GET, POST"),
        ("get", "/nowhere", {}, 404, "no endpoint at /nowhere"),
        ("get", "/entities/hardware/Abacus", {}, 404, "no hardware named"),
        ("get", "/graph/neighbors", {"params": {"node": "hardware:nope"}}, 404, "unknown node"),
        ("get", "/graph/neighbors", {"params": {"node": "p-gpu", "depth": 3}}, 422, "depth"),
    ],
)
def test_bad_requests_get_4xx_with_a_message(
    client: TestClient, method: str, url: str, kwargs: dict, status: int, message: str
) -> None:
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == status
    detail = r.json()["detail"]
    assert isinstance(detail, str) and message in detail


def test_paper_entities_and_neighbors(client: TestClient) -> None:
    paper = client.get("/papers/p-fpga").json()
    assert {e["name"] for e in paper["entities"]} == {"AMD KV260", "ternary weights", "TeLLMe"}
    assert paper["metrics"][0]["unit"] == "tokens/s" and paper["metrics"][0]["evidence"]
    listed = client.get("/entities", params={"type": "hardware"}).json()
    # 3 models and the 2 product lines above them (IN_FAMILY), each with one paper
    assert listed["count"] == 5 and all(e["papers"] == 1 for e in listed["data"])
    page = client.get("/entities", params={"limit": 2, "offset": 1}).json()
    everything = client.get("/entities").json()
    assert page["count"] == everything["count"] == len(everything["data"]) > 3  # the total, not the page size
    assert page["data"] == everything["data"][1:3]
    detail = client.get("/entities/hardware/nvidia a100").json()
    assert detail["papers"][0]["id"] == "p-gpu"
    assert {e["name"] for e in detail["cooccurring"]} == {"quantization", "vLLM"}
    graph = client.get("/graph/neighbors", params={"node": "p-fpga", "depth": 2}).json()
    ids = {n["id"] for n in graph["nodes"]}
    assert {"p-fpga", "hardware:amd-kv260", "metric:p-fpga:0"} <= ids
    assert any(e["type"] == "MEASURED_ON" for e in graph["edges"])


def test_ask_list_question_uses_graph_and_returns_cypher(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "Which papers run LLM decoding on FPGAs, and how fast?"}).json()
    assert body["intent"] == "list" and body["matched"] == 1 and not body["fallback"]
    assert [p["id"] for p in body["papers"]] == ["p-fpga"]
    assert "25 tokens/s" in body["answer"]
    assert body["entities"] == [{"type": "hardware", "name": "FPGA", "surface": "FPGAs"}]
    assert "MATCH (p:Paper)" in body["graph_queries"][0]["cypher"]
    assert body["graph_queries"][0]["params"]["g0_0_type"] == "FPGA"
    assert body["interpretation"]["entities"][0]["level"] == "type"
    assert any(e["type"] == "metric" for e in body["papers"][0]["evidence"])


def test_ask_count_fact_compare_and_fallback(client: TestClient) -> None:
    count = client.post("/ask", json={"question": "How many papers use Jetson boards?"}).json()
    assert count["intent"] == "count" and count["answer"].startswith("1 paper mentions the NVIDIA Jetson family")
    fact = client.post("/ask", json={"question": "What throughput does TeLLMe reach?"}).json()
    assert fact["intent"] == "fact" and fact["answer"].startswith("TeLLMe reaches 25 tokens/s")
    compare = client.post("/ask", json={"question": "GPU vs FPGA for LLM serving"}).json()
    assert compare["intent"] == "compare" and {p["group"] for p in compare["papers"]} == {"GPU", "FPGA"}
    none = client.post("/ask", json={"question": "Which papers use TPUs?"}).json()
    assert none["fallback"] and none["answer"].startswith("No paper in the corpus mentions TPU hardware")
    assert none["count"] == 3


def test_request_limits_come_from_settings(engine: Engine) -> None:
    """max_k and max_query_chars bound every search and question, and /openapi.json states the same bounds."""
    app = create_app(settings=engine.settings.model_copy(update={"max_k": 12, "max_query_chars": 20}), engine=engine)
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/search", params={"q": "LLM", "k": 12}).status_code == 200
    refused = [
        client.get("/search", params={"q": "LLM", "k": 13}),
        client.post("/search", json={"q": "LLM", "k": 13}),
        client.post("/ask", json={"question": "Which papers use FPGAs?", "k": 2}),
        client.post("/ask", json={"question": " " * 20 + "FPGA?"}),  # measured as sent, white space included
        client.get("/search", params={"q": "LLM" + " " * 20}),
    ]
    assert [r.status_code for r in refused] == [422] * 5
    assert "k: Input should be less than or equal to 12 (limit PAPERGRAPH_MAX_K; got 13)" in refused[0].json()["detail"]
    assert refused[1].json() == refused[0].json()
    assert (
        "question: String should have at most 20 characters (limit PAPERGRAPH_MAX_QUERY_CHARS; got 23"
        in (refused[2].json()["detail"])
    )
    search, ask = (
        app.openapi()["components"]["schemas"][name]["properties"] for name in ("SearchRequest", "AskRequest")
    )
    assert search["k"]["maximum"] == ask["k"]["maximum"] == 12
    assert search["q"]["anyOf"][0]["maxLength"] == ask["question"]["maxLength"] == 20
    params = {p["name"]: p["schema"] for p in app.openapi()["paths"]["/search"]["get"]["parameters"]}
    assert params["k"]["maximum"] == 12 and params["q"]["maxLength"] == 20
    assert "x-papergraph-limit" not in str(app.openapi())
