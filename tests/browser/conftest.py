"""Browser fixtures: the explorer page served by a real uvicorn server on loopback, driven by Debian's chromium.

The corpus is the 11 papers of ``tests/fixtures/*.jsonl``, read by the corpus reader and extracted by the real
spaCy pipeline (about a second), embedded with the hash encoder (no model download, no model load). Papers get
years so the year filter shows. The same corpus is served from the embedded store and from the Bolt test server.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (``apt-get install chromium``);
without one the tests skip and say why.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from papergraph.config import Settings
from papergraph.corpus import ReadReport, read_file
from papergraph.graph.base import GraphStore
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.index import LexicalIndex, VectorIndex
from papergraph.models import ExtractedPaper
from papergraph.query import Engine
from support import CHROMIUM_ARGS, DIM, HashEncoder, serve

FIXTURES = Path(__file__).parents[1] / "fixtures"


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


# --------------------------------------------------------------------------------------------------
# Corpus and servers
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def extractor() -> Any:
    from papergraph.extract import Extractor

    return Extractor(Settings())


@pytest.fixture(scope="session")
def corpus(extractor: Any) -> list[ExtractedPaper]:
    report = ReadReport()
    papers = [p for name in ("mini.jsonl", "more.jsonl") for p in read_file(FIXTURES / name, report)]
    for i, paper in enumerate(papers):
        paper.year = 2018 + i % 7
    return [ExtractedPaper(paper=p, extraction=e) for p, e in zip(papers, extractor.extract(papers), strict=True)]


def engine_over(store: GraphStore, docs: list[ExtractedPaper], extractor: Any) -> Engine:
    store.upsert(docs)
    encoder = HashEncoder()
    papers = [d.paper for d in docs]
    index = VectorIndex(DIM, encoder.model_id)
    index.upsert(papers, encoder.encode([p.text for p in papers]))
    return Engine(Settings(), encoder, index, LexicalIndex(papers), store, extractor)


@pytest.fixture(scope="module")
def embedded_engine(corpus: list[ExtractedPaper], extractor: Any) -> Engine:
    return engine_over(NetworkxStore(), corpus, extractor)


@pytest.fixture(scope="module")
def server(embedded_engine: Engine) -> Iterator[str]:
    with serve(embedded_engine) as url:
        yield url


@pytest.fixture(scope="module")
def bolt_server(corpus: list[ExtractedPaper], extractor: Any, bolt_target: Any, neo4j_driver: Any) -> Iterator[str]:
    """The same corpus in the Bolt test server (FalkorDB, or NEO4J_URI's server), behind the same API."""
    from integration.bolt_server import TEST_BATCH_BYTES, wipe
    from papergraph.graph.neo4j_store import Neo4jStore

    wipe(neo4j_driver, bolt_target.database)
    store = Neo4jStore(neo4j_driver, bolt_target.database, batch_rows=40, batch_bytes=TEST_BATCH_BYTES)
    with serve(engine_over(store, corpus, extractor)) as url:
        yield url


# --------------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium to drive: `apt-get install -y chromium` (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page plus everything it logged and requested, for the checks every test ends with."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, url: str) -> None:
        """Load the explorer and wait until it has drawn what it starts with."""
        self.page.goto(url)
        self.page.wait_for_function("window.explorerReady !== undefined")
        self.page.evaluate("window.explorerReady.then(() => true)")

    def stats(self) -> tuple[int, int]:
        text = self.page.get_by_test_id("graph-stats").inner_text()
        nodes, edges = text.replace(" nodes,", "").replace(" edges", "").split()
        return int(nodes), int(edges)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def foreign_requests(self) -> list[str]:
        """Requests that left 127.0.0.1 (blob: and data: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("blob", "data") and urlsplit(url).hostname != "127.0.0.1"
        ]

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.foreign_requests() == []


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 760})
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page)
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    page.on("request", lambda r: tab.requests.append(r.url))
    yield tab
    context.close()
