"""The HTTP contract, checked on every route, including routes added later.

Every route: a typed response model; a description and an example on every parameter and body; the error
statuses it can answer documented with the error body; integers that refuse booleans; a unique operationId
(generated clients name their functions after it). The examples name real data: over bundled-corpus papers
served by the real app, each operation called with its examples finds something. /docs and /redoc load nothing
from outside the app.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from papergraph.api import examples
from papergraph.api.deps import get_engine
from papergraph.api.introspect import api_routes
from papergraph.graph.rows import LABELS, REL_TYPES
from papergraph.models import NodeLabel, RelationshipType
from papergraph.query.response import AskResult

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def app(client: TestClient) -> FastAPI:
    assert isinstance(client.app, FastAPI)
    return client.app


@pytest.fixture(scope="module")
def schema(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def routes(app: FastAPI) -> list[Any]:
    """The routes in the schema (included routers flattened), at least the nine of the first version."""
    found = [r for r in api_routes(app.routes) if r.include_in_schema]
    assert len(found) >= 9
    return found


def schema_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation), reads first: a DELETE runs after everything that reads what it deletes."""
    found = [(m, p, op) for p, ops in schema["paths"].items() for m, op in ops.items() if m in HTTP_METHODS]
    return sorted(found, key=lambda item: item[0] not in ("get", "post"))


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else node


def body_schema(schema: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON body's schema, with its examples from the model or from the route's ``Body(examples=...)``."""
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    resolved = resolve(schema, content["schema"])
    return {**resolved, "examples": content["schema"].get("examples") or resolved.get("examples")}


def _serves_html(route: Any) -> bool:
    response_class = getattr(route.response_class, "value", route.response_class)  # FastAPI's DefaultPlaceholder
    return isinstance(response_class, type) and issubclass(response_class, HTMLResponse)


def test_every_route_declares_a_typed_response_model(app: FastAPI, schema: dict[str, Any]) -> None:
    for route in routes(app):
        if not _serves_html(route):  # a page (text/html) has no JSON model
            assert route.response_model is not None, f"{route.path}: add response_model="
    for method, path, op in schema_operations(schema):
        ok = op["responses"].get("200") or op["responses"].get("201") or op["responses"].get("204")
        assert ok is not None, f"{method.upper()} {path}: no success response documented"
        content = ok.get("content", {}).get("application/json", {}).get("schema", {})
        assert not content or "$ref" in content, f"{method.upper()} {path}: success body is not a named model"


def test_operation_ids_are_unique_function_names(schema: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in schema_operations(schema)]
    assert len(ids) == len(set(ids)), f"duplicate operationId (route function names): {sorted(ids)}"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids


def test_every_parameter_has_a_description_and_an_example(schema: dict[str, Any]) -> None:
    for method, path, op in schema_operations(schema):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), f"{where}: add summary="
        for param in op.get("parameters", []):
            name = f"{where} {param['in']} parameter {param['name']}"
            assert param.get("description"), f"{name}: add description="
            has_example = "example" in param or param.get("examples") or param["schema"].get("examples")
            assert has_example, f"{name}: add examples=[...] naming data of the bundled corpus (api/examples.py)"
        body = body_schema(schema, op)
        if body is not None:
            assert body.get("examples"), f"{where}: give the body examples (model json_schema_extra or Body(examples=))"
            for field, prop in body.get("properties", {}).items():
                assert prop.get("description"), f"{where} body field {field}: add description="


def _can_answer_404(route: Any) -> bool:
    return bool(route.dependant.path_params) or "NotFoundError" in (route.endpoint.__code__.co_names or ())


def test_every_error_status_a_route_can_answer_is_documented(app: FastAPI, schema: dict[str, Any]) -> None:
    for route in routes(app):
        for method in sorted(route.methods or ()):
            op = schema["paths"][route.path_format][method.lower()]
            documented = set(op["responses"])
            where = f"{method} {route.path_format}"
            takes_input = bool(route.dependant.query_params or route.dependant.path_params or route.body_field)
            needs_engine = any(d.call is get_engine for d in route.dependant.dependencies)
            if takes_input:
                assert "422" in documented, f"{where}: can answer 422 (invalid input); add errors(422)"
            if needs_engine:
                assert "503" in documented, f"{where}: can answer 503 (no index); add errors(503)"
            if _can_answer_404(route):
                assert "404" in documented, f"{where}: can answer 404; add errors(404)"
            for status in documented - {"200", "201", "204"}:
                ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), f"{where} {status}: errors answer ErrorBody"


def test_closed_vocabularies_are_enums(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    expected = {
        "SearchMode": {"hybrid", "dense", "lexical"},
        "BrowsableType": {"hardware", "technique", "system", "dataset"},
        "EntityType": {"hardware", "technique", "system", "dataset", "metric"},
        "Intent": {intent.value for intent in AskResult.model_fields["intent"].annotation},  # type: ignore[union-attr]
        "NodeLabel": set(LABELS),
        "RelationshipType": set(REL_TYPES),
    }
    for name, values in expected.items():
        assert set(components[name]["enum"]) == values, name


def test_label_enums_match_the_graph_schema() -> None:
    """graph/rows.py names the labels the stores write; the API enums must follow it (add new ones there too)."""
    assert {label.value for label in NodeLabel} == set(LABELS)
    assert {rel.value for rel in RelationshipType} == set(REL_TYPES)


def _integer_fields(schema: dict[str, Any], node: dict[str, Any]) -> list[str]:
    return [name for name, prop in node.get("properties", {}).items() if resolve(schema, prop).get("type") == "integer"]


def test_integers_refuse_booleans(client: TestClient, schema: dict[str, Any]) -> None:
    checked = 0
    for method, path, op in schema_operations(schema):
        url = re.sub(r"\{[^}]+\}", "x", path)
        for param in op.get("parameters", []):
            if param["in"] == "query" and param["schema"].get("type") == "integer":
                r = client.request(method, url, params={param["name"]: "true"})
                assert r.status_code == 422 and param["name"] in r.json()["detail"], (path, param["name"], r.text)
                checked += 1
        body = body_schema(schema, op)
        if body is not None:
            for field in _integer_fields(schema, body):
                payload = {**body["examples"][0], field: True}
                r = client.request(method, url, json=payload)
                assert r.status_code == 422, (path, field, r.text)
                assert f"{field}: must be a JSON integer" in r.json()["detail"]
                checked += 1
    assert checked >= 8


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_outside(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assert not re.search(r"https?://", html.text), "the page references an outside URL"
    assets = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html.text)
    assert assets, html.text
    for asset in assets:
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 1000, asset


def test_unreadable_bodies_get_a_422_that_says_what_to_send(client: TestClient) -> None:
    cases = [
        (b'{"q": "x",', "request body is not valid JSON (Expecting"),
        (b'{"q": "\xff"}', "request body is not valid JSON (not UTF-8 text)"),
        (b"[1, 2]", "request body must be a JSON object"),
        (b"", "request body is missing"),
    ]
    for raw, message in cases:
        r = client.post("/search", content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"].startswith(message), (raw, r.text)
        assert "Content-Type: application/json" in r.json()["detail"]
    r = client.post("/ask", content=b"question=hi", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and "must be a JSON object" in r.json()["detail"]


@pytest.mark.integration
def test_examples_reach_bundled_corpus_data(live_url: str) -> None:
    """Each operation called with its documented examples, over bundled-corpus papers, finds something."""
    schema = httpx.get(f"{live_url}/openapi.json").json()
    with httpx.Client(base_url=live_url, timeout=60) as http:
        for method, path, op in schema_operations(schema):
            params: dict[str, Any] = {}
            url = path
            for param in op.get("parameters", []):
                value = (param["schema"].get("examples") or [param.get("example")])[0]
                if param["in"] == "path":
                    url = url.replace("{" + param["name"] + "}", str(value))
                else:
                    params[param["name"]] = value
            body = body_schema(schema, op)
            payloads = body["examples"] if body else [None]
            for payload in payloads:
                r = http.request(method, url, params=params, json=payload)
                if r.status_code == 403 and "403" in op["responses"]:
                    continue  # an admin operation: a published example cannot carry the server's secret
                assert r.status_code < 300, (method, url, params, payload, r.text)
                if not r.headers.get("content-type", "").startswith("application/json"):
                    continue
                answer = r.json()
                found = [answer.get(k) for k in ("data", "papers", "nodes", "entities", "entity") if k in answer]
                assert not found or any(found), f"{method.upper()} {url} {params} {payload}: found nothing"
    search = httpx.get(f"{live_url}/search", params={"q": examples.QUERY, "hardware": examples.HARDWARE}).json()
    assert search["data"][0]["id"] == examples.SEARCH_HIT
