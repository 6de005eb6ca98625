"""`papergraph ask` / `search` through a running server: which server is used, and what is printed."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from papergraph.api.client import find_server
from papergraph.cli import app
from papergraph.config import Settings
from papergraph.query.search import SearchFilters
from support import build_engine

ENGINE = build_engine()


class _Handler(BaseHTTPRequestHandler):
    health: ClassVar[dict[str, Any]] = {}
    seen: ClassVar[list[str]] = []

    def _send(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self._send(self.health)

    def do_POST(self) -> None:
        self.seen.append(self.path)
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if self.path == "/ask":
            if not body["question"].strip("? "):
                self._send({"detail": "question: empty"}, 422)
                return
            self._send(ENGINE.asker.ask(body["question"], k=body["k"]).model_dump(mode="json"))
        else:
            filters = SearchFilters(**{k: body.get(k, []) for k in ("hardware", "technique", "system", "dataset")})
            self._send(ENGINE.searcher.search(body["q"], k=body["k"], filters=filters).model_dump(mode="json"))

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _data_dir(tmp_path: Path, count: int = 3, model: str = "test-hash@64") -> Path:
    """A data directory whose commit point records an index of ``count`` papers made with ``model``."""
    (tmp_path / "index" / "gen-000001").mkdir(parents=True)
    manifest = {
        "format": 2,
        "generation": 1,
        "folder": "gen-000001",
        "parts": {"index": {"count": count, "model": model}},
    }
    (tmp_path / "index" / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_find_server_uses_the_one_serving_the_same_index(server: str, tmp_path: Path) -> None:
    host, port = server.removeprefix("http://").split(":")
    settings = Settings(data_dir=_data_dir(tmp_path), host=host, port=int(port))
    _Handler.health = {"status": "ok", "papers": 3, "model": "test-hash@64", "graph": "networkx"}
    assert find_server(settings) == server
    _Handler.health = {"status": "ok", "papers": 4, "model": "test-hash@64", "graph": "networkx"}
    assert find_server(settings) is None  # another index: answer locally
    assert find_server(settings.model_copy(update={"url": server + "/"})) == server  # named: always used
    assert find_server(settings.model_copy(update={"port": 1})) is None  # nothing listening


def test_cli_ask_and_search_go_to_the_named_server(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERGRAPH_URL", server)
    runner = CliRunner()
    asked = runner.invoke(app, ["--data-dir", str(tmp_path), "ask", "How many papers use Jetson boards?"])
    assert asked.exit_code == 0, asked.output
    assert "1 paper mentions the NVIDIA Jetson family" in asked.output
    assert "read as: intent count; hardware NVIDIA Jetson (family, filter" in asked.output
    found = runner.invoke(app, ["--data-dir", str(tmp_path), "search", "split computing", "--json"])
    assert found.exit_code == 0 and json.loads(found.output)["data"][0]["id"] == "p-jetson"
    assert _Handler.seen == ["/ask", "/search"]


def test_cli_reports_server_errors_in_one_line(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from papergraph.api.client import post
    from papergraph.errors import QueryError

    with pytest.raises(QueryError, match="question: empty"):
        post(server, "/ask", {"question": "?", "k": 1})
    monkeypatch.setenv("PAPERGRAPH_URL", "http://127.0.0.1:1")
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "ask", "anything"])
    assert result.exit_code != 0 and "cannot reach the PaperGraph server" in str(result.exception)


@pytest.mark.parametrize("args", [["ask", "How many papers use Jetson boards?"], ["search", "split computing"]])
def test_cli_local_answers_here_even_with_a_named_server(
    args: list[str], server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERGRAPH_URL", server)
    _Handler.seen = []
    done = CliRunner().invoke(app, ["--data-dir", str(tmp_path), *args, "--local"])
    assert done.exit_code == 1 and "papergraph ingest" in str(done.exception)  # no index here, and no request sent
    assert _Handler.seen == []


def test_the_cli_and_the_query_layer_import_no_model_library() -> None:
    """`papergraph ask` through a server stays fast: importing the CLI, the API schemas and the query layer loads
    neither spaCy nor torch (the question tagger and the encoder load them on first use)."""
    code = (
        "import sys, papergraph.cli, papergraph.api.schemas, papergraph.query; "
        "print(*(name in sys.modules for name in ('spacy', 'torch', 'sentence_transformers')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "False"]
