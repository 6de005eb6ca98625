"""A Python client generated from /openapi.json (openapi-python-client) calls every endpoint of the real service.

The client is generated inside the test run from the schema the running service publishes, imported, and used
as a researcher would: typed request models, typed responses, typed error bodies. A schema change that breaks
generated clients (a response that no longer parses, a missing model, a generator warning) fails here.
Endpoints added later are called too, with their documented examples (``_kwargs_from_examples``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import typing
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from live_api import ADMIN_TOKEN
from papergraph.api import examples

pytestmark = pytest.mark.integration

PACKAGE = "papergraph_client"  # the name the README uses
README = Path(__file__).parents[2] / "README.md"


@pytest.fixture(scope="module")
def schema(live_url: str) -> dict[str, Any]:
    return httpx.get(f"{live_url}/openapi.json", timeout=30).json()


@pytest.fixture(scope="module")
def generated(schema: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the live schema, importable as ``papergraph_client``."""
    workdir = tmp_path_factory.mktemp("client")
    spec = workdir / "openapi.json"
    spec.write_text(json.dumps(schema))
    bin_dir = Path(sys.executable).parent
    generate = [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "none"]
    done = subprocess.run(
        [*generate, "--output-path", str(workdir / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},  # its ruff post-hooks
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Warning" not in output and "Error" not in output, f"the generator skipped parts of the schema:\n{output}"
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(workdir))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def operations(schema: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (method, path, operation) for every operation the schema publishes."""
    return {
        op["operationId"]: (method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()
    }


def endpoint(package: ModuleType, schema: dict[str, Any], operation_id: str) -> ModuleType:
    """The generated module of one operation: ``papergraph_client.api.<tag>.<operationId>``."""
    _, _, op = operations(schema)[operation_id]
    tag = re.sub(r"\W+", "_", op["tags"][0]).lower()
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation_id}")


class Calls:
    """Calls through the generated client, remembering which operations were called."""

    def __init__(self, package: ModuleType, schema: dict[str, Any], base_url: str) -> None:
        self.package = package
        self.schema = schema
        self.client = package.Client(base_url=base_url, raise_on_unexpected_status=True, timeout=httpx.Timeout(60))
        self.called: set[str] = set()

    def __call__(self, operation_id: str, **kwargs: Any) -> Any:
        """``sync_detailed`` of the operation: the response, its status and the parsed, typed body."""
        self.called.add(operation_id)
        return endpoint(self.package, self.schema, operation_id).sync_detailed(client=self.client, **kwargs)

    def model(self, name: str) -> Any:
        return getattr(self.package.models, name)


@pytest.fixture(scope="module")
def calls(generated: ModuleType, schema: dict[str, Any], live_url: str) -> Calls:
    return Calls(generated, schema, live_url)


def ok(response: Any, model: str, calls: Calls) -> Any:
    assert response.status_code == 200, response.content[:500]
    assert isinstance(response.parsed, calls.model(model)), type(response.parsed)
    return response.parsed


def test_search_and_more_like_this(calls: Calls) -> None:
    found = ok(calls("search_get", q=examples.QUERY, k=3, hardware=[examples.HARDWARE]), "SearchResult", calls)
    assert found.data[0].id == examples.SEARCH_HIT and found.count == len(found.data) >= 1
    assert found.mode == calls.model("SearchMode").HYBRID and found.filters.hardware == [examples.HARDWARE]
    body = calls.model("SearchRequest")(paper_id=examples.PAPER_ID, k=3, mode=calls.model("SearchMode").DENSE)
    similar = ok(calls("search_post", body=body), "SearchResult", calls)
    assert similar.count == 3 and examples.PAPER_ID not in {hit.id for hit in similar.data}


def test_paper_entities_and_graph(calls: Calls) -> None:
    paper = ok(calls("get_paper", paper_id=examples.PAPER_ID), "PaperRecord", calls)
    assert paper.title.startswith("TeLLMe") and paper.metrics
    kinds = {link.relationship for link in paper.entities}
    assert calls.model("RelationshipType").PROPOSES in kinds
    listed = ok(calls("list_entities", type_=calls.model("BrowsableType").HARDWARE, limit=2), "EntityList", calls)
    assert len(listed.data) == 2 and listed.count > 2  # count is the total, not the page
    detail = ok(
        calls("get_entity", type_=calls.model("BrowsableType").HARDWARE, name=examples.ENTITY_NAME),
        "EntityDetail",
        calls,
    )
    assert examples.PAPER_ID in {p.id for p in detail.papers}
    graph = ok(calls("neighbors", node=examples.NODE_ID, depth=1), "Subgraph", calls)
    assert examples.NODE_ID in {n.id for n in graph.nodes}
    assert {n.label for n in graph.nodes} >= {calls.model("NodeLabel").HARDWARE, calls.model("NodeLabel").PAPER}


def test_ask_health_and_stats(calls: Calls) -> None:
    answer = ok(calls("ask", body=calls.model("AskRequest")(question=examples.QUESTION, k=3)), "AskResult", calls)
    assert answer.intent == calls.model("Intent").LIST and answer.papers[0].id == examples.PAPER_ID
    assert ok(calls("health"), "Health", calls).papers == 10
    stats = ok(calls("stats"), "Stats", calls)
    assert stats.papers_indexed == 10 and stats.graph_backend == calls.model("GraphBackend").NETWORKX


def test_errors_parse_as_typed_error_bodies(calls: Calls) -> None:
    missing = calls("get_paper", paper_id="no-such-paper")
    assert missing.status_code == 404 and isinstance(missing.parsed, calls.model("ErrorBody"))
    assert "unknown paper id" in missing.parsed.detail
    neither = calls("search_post", body=calls.model("SearchRequest")(k=3))
    assert neither.status_code == 422 and "send q (query text), paper_id" in neither.parsed.detail


def test_delete_paper_with_the_admin_token(calls: Calls) -> None:
    gone = "t93d2d3d4171a"  # Serverless Cold Starts and Where to Find Them: no other test here reads it
    refused = calls("delete_paper", paper_id=gone)
    assert refused.status_code == 403 and isinstance(refused.parsed, calls.model("ErrorBody"))
    deleted = ok(calls("delete_paper", paper_id=gone, authorization=f"Bearer {ADMIN_TOKEN}"), "Deleted", calls)
    assert deleted.deleted == gone and deleted.papers == 9
    assert calls("get_paper", paper_id=gone).status_code == 404


def _typed(value: Any, annotation: Any) -> Any:
    """An example value as the generated function takes it: enums (also inside lists) as enum members."""
    for arg in typing.get_args(annotation) or (annotation,):
        if inspect.isclass(arg) and issubclass(arg, Enum) and isinstance(value, str):
            return arg(value)
        if typing.get_origin(arg) is list and isinstance(value, list):
            (item,) = typing.get_args(arg)
            return [_typed(v, item) for v in value]
    return value


def _kwargs_from_examples(fn: Callable[..., Any], op: dict[str, Any], calls: Calls) -> dict[str, Any]:
    """Keyword arguments for a generated endpoint function, from the operation's documented examples."""
    hints = typing.get_type_hints(fn)
    names = inspect.signature(fn).parameters
    kwargs: dict[str, Any] = {}
    for param in op.get("parameters", []):
        value = param.get("example", (param["schema"].get("examples") or [None])[0])
        name = next(n for n in (param["name"], param["name"] + "_") if n in names)
        kwargs[name] = _typed(value, hints[name])
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content:
        ref = content["schema"]["$ref"].rsplit("/", 1)[1]
        examples_ = content["schema"].get("examples") or calls.schema["components"]["schemas"][ref]["examples"]
        kwargs["body"] = calls.model(ref).from_dict(examples_[0])
    return kwargs


def test_every_endpoint_is_called_through_the_client(calls: Calls) -> None:
    """Runs last in this module: operations no test above called are called with their examples."""
    destructive_last = sorted(operations(calls.schema).items(), key=lambda kv: (kv[1][0] not in ("get", "post"), kv[0]))
    for operation_id, (_, _, op) in destructive_last:
        if operation_id in calls.called:
            continue
        fn = endpoint(calls.package, calls.schema, operation_id).sync_detailed
        response = calls(operation_id, **_kwargs_from_examples(fn, op, calls))
        if response.status_code == 403 and "403" in op["responses"]:
            continue  # an admin operation: a published example cannot carry the server's secret
        assert response.status_code < 300, f"{operation_id}: {response.status_code} {response.content[:300]!r}"
    assert calls.called == set(operations(calls.schema))


def test_readme_example_runs(generated: ModuleType, live_url: str) -> None:
    """The README's generated-client example, run as written against the live service."""
    text = README.read_text()
    section = text.split("### Generated Python client", 1)[1]
    code = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    printed: list[str] = []
    namespace: dict[str, Any] = {"print": lambda *args: printed.append(" ".join(map(str, args)))}
    exec(code.replace("http://127.0.0.1:8000", live_url), namespace)  # our own README's code
    assert printed and any("BottleFit" in line for line in printed), printed
