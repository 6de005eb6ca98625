"""The explorer page in a real chromium against a real server: load, search, expand, filter, details, path, ask.

Targets are picked from the served graph (the best-linked entity, the paper with most neighbours), not
hard-coded, so the tests follow the extraction rules as they change. Every test ends with no console error
and no request that left 127.0.0.1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from papergraph.explore.paths import shortest_path
from papergraph.graph.rows import PAPER
from papergraph.query import Engine

if TYPE_CHECKING:
    from browser.conftest import Tab

pytestmark = pytest.mark.browser


def best_linked(engine: Engine, label: str | None = None) -> Any:
    """The node with most neighbours (of ``label``), for tests that need a populous node."""
    store = engine.store
    ids = list(store.paper_ids()) if label == PAPER else [e.id for e in store.entities(limit=1000)]
    return max(sorted(ids), key=lambda n: store.degree(n) or 0)


def click_node(tab: Tab, node: str, double: bool = False) -> None:
    """Click where the node is drawn (the layout is stopped first so it stays there)."""
    tab.js("() => window.explorer.view.stopLayout()")
    still = "() => !window.explorer.view.renderer.getCamera().isAnimated()"
    tab.page.wait_for_function(still, timeout=5000)  # the camera has stopped gliding: positions hold
    tab.page.wait_for_timeout(100)
    box = tab.page.get_by_test_id("canvas").bounding_box()
    at = tab.js("(id) => window.explorer.view.position(id)", node)
    x, y = box["x"] + at["x"], box["y"] + at["y"]
    if double:
        tab.page.mouse.dblclick(x, y)
    else:
        tab.page.mouse.click(x, y)


def search_and_pick(tab: Tab, text: str, node: str) -> None:
    tab.page.get_by_test_id("search-input").fill(text)
    tab.page.locator(f'[data-testid="search-results"] li[data-id="{node}"]').click()
    tab.page.wait_for_function("(id) => window.explorer.expansions.has(id)", arg=node)  # drawn and expanded


def test_loads_offline_without_errors(tab: Tab, server: str) -> None:
    tab.open(f"{server}/")
    nodes, edges = tab.stats()
    assert nodes > 10 and edges > 0  # the most linked entities, expanded
    for testid in ("search-input", "ask-input", "graph-stats", "details"):
        assert tab.page.get_by_test_id(testid).count() == 1
    assert tab.js("() => document.querySelectorAll('canvas').length") > 0  # sigma's WebGL and label layers
    assert any(url.endswith("/ui/explorer.js") for url in tab.requests)
    assert tab.page.get_by_test_id("year-filter").is_visible()  # the corpus has years
    tab.assert_clean()


def test_search_puts_the_node_on_the_canvas(tab: Tab, server: str, embedded_engine: Engine) -> None:
    tab.open(f"{server}/?seed=0")
    assert tab.stats() == (0, 0)
    node = best_linked(embedded_engine)
    name = embedded_engine.store.entities(limit=1000)
    target = next(e for e in name if e.id == node)
    misspelt = target.name[:-1] + "x" if len(target.name) > 4 else target.name  # one wrong letter
    search_and_pick(tab, misspelt, node)
    nodes, _ = tab.stats()
    assert nodes >= 2  # the node and its neighbours
    # the camera glides to the picked node (a 400 ms animation while the layout runs): it must end on the canvas
    on_canvas = """(id) => {
        const at = window.explorer.view.position(id);
        const box = document.querySelector('[data-testid="canvas"]').getBoundingClientRect();
        return at && 0 <= at.x && at.x <= box.width && 0 <= at.y && at.y <= box.height;
    }"""
    tab.page.wait_for_function(on_canvas, arg=node, timeout=5000)
    assert target.name in tab.page.get_by_test_id("details").inner_text()
    tab.assert_clean()


def test_double_click_expands_and_offers_n_more(tab: Tab, server: str, embedded_engine: Engine) -> None:
    paper = best_linked(embedded_engine, PAPER)
    total = embedded_engine.store.degree(paper)
    assert total is not None and total > 6
    tab.open(f"{server}/?seed=0&limit=5")
    title = embedded_engine.store.paper(paper).title  # type: ignore[union-attr]
    search_and_pick(tab, title, paper)
    assert tab.stats()[0] == 6  # the paper and a first page of 5
    tab.page.get_by_test_id("expand-more").click()
    tab.page.wait_for_function("() => window.explorer.view.graph.order === 11")
    assert tab.page.get_by_test_id("expand-more").inner_text() == f"{total - 10} more"
    # a double click on a neighbour drawn on the canvas expands that neighbour
    neighbour = tab.js(
        "(p) => window.explorer.view.graph.neighbors(p).find((n) => window.explorer.view.graph.degree(n) === 1)",
        paper,
    )
    before = tab.stats()[0]
    click_node(tab, neighbour, double=True)
    tab.page.wait_for_function("(id) => window.explorer.expansions.has(id)", arg=neighbour)
    assert tab.stats()[0] >= before
    assert tab.js("(id) => window.explorer.expansions.get(id).total", neighbour) == embedded_engine.store.degree(
        neighbour
    )
    tab.assert_clean()


def test_filters_hide_labels_hardware_types_and_years(tab: Tab, server: str, embedded_engine: Engine) -> None:
    tab.open(f"{server}/")
    counts = tab.js(
        """() => { const v = window.explorer.view; const c = {};
        v.graph.forEachNode((id, a) => { c[a.kind] = (c[a.kind] || 0) + 1; }); return c; }"""
    )
    nodes, _ = tab.stats()
    tab.page.get_by_test_id("filter-Paper").uncheck()
    assert tab.stats()[0] == nodes - counts.get("Paper", 0)
    tab.page.get_by_test_id("filter-Paper").check()
    assert tab.stats()[0] == nodes
    hardware_types = tab.js(
        """() => { const v = window.explorer.view; const t = new Set();
        v.graph.forEachNode((id, a) => { if (a.kind === 'Hardware' && a.properties.type) t.add(a.properties.type); });
        return [...t]; }"""
    )
    if hardware_types:
        kind = hardware_types[0]
        shown = tab.js(
            """(t) => { let n = 0; window.explorer.view.graph.forEachNode((id, a) => {
            if (a.kind === 'Hardware' && a.properties.type === t) n += 1; }); return n; }""",
            kind,
        )
        tab.page.get_by_test_id(f"filter-hw-{kind}").uncheck()
        assert tab.stats()[0] == nodes - shown
        tab.page.get_by_test_id(f"filter-hw-{kind}").check()
    years = tab.js(
        """() => { const y = []; window.explorer.view.graph.forEachNode((id, a) => {
        if (a.kind === 'Paper' && typeof a.properties.year === 'number') y.push(a.properties.year); }); return y; }"""
    )
    assert years, "the seeded view shows papers with years"
    cut = max(years)
    tab.page.get_by_test_id("year-min").fill(str(cut))
    tab.page.get_by_test_id("year-min").dispatch_event("change")
    assert tab.stats()[0] == nodes - sum(1 for y in years if y < cut)
    tab.assert_clean()


def test_details_panel_marks_evidence_and_lists_metrics(tab: Tab, server: str, embedded_engine: Engine) -> None:
    paper = next(
        p
        for p in sorted(embedded_engine.store.paper_ids())
        if (record := embedded_engine.store.paper(p))
        and record.metrics
        and any(e.field == "abstract" for e in record.entities)
    )
    record = embedded_engine.store.paper(paper)
    assert record is not None
    tab.open(f"{server}/?node={paper}")
    details = tab.page.get_by_test_id("details")
    details.get_by_test_id("abstract").wait_for()
    assert record.title in details.inner_text()
    marked = [m.inner_text() for m in details.locator("mark").all()]
    evidence = {e.evidence for e in record.entities if e.field == "abstract"} | {m.evidence for m in record.metrics}
    assert marked and all(any(text in sentence or sentence in text for sentence in evidence) for text in marked)
    rows = details.get_by_test_id("metrics").locator("tr").all()
    assert len(rows) == len(record.metrics) + 1
    first = record.metrics[0]
    cells = [c.inner_text() for c in rows[1].locator("td").all()]
    assert cells[2:] == [first.unit, first.kind, first.hardware or "—"]
    # an entity's details: its papers and what co-occurs with it
    entity = next(e for e in record.entities if e.field == "abstract")
    details.locator("a.node", has_text=entity.name).first.click()
    details.get_by_test_id("entity-papers").wait_for()
    assert record.title in details.get_by_test_id("entity-papers").inner_text()
    assert details.get_by_test_id("cooccurring").locator(".chip").count() > 0
    tab.assert_clean()


def test_path_between_two_selected_nodes(tab: Tab, server: str, embedded_engine: Engine) -> None:
    papers = sorted(embedded_engine.store.paper_ids(), key=lambda p: -(embedded_engine.store.degree(p) or 0))
    source, target = papers[0], papers[1]
    hops = len(shortest_path(embedded_engine.store, source, target).edges)
    assert hops >= 2
    tab.open(f"{server}/?node={source}")
    tab.page.get_by_test_id("path-from").click()
    tab.js("(id) => window.explorer.expand(id)", target)
    tab.js("(id) => window.explorer.open(window.explorer.view.node(id))", target)
    tab.page.get_by_test_id("path-to").click()
    tab.page.wait_for_function("() => /hops/.test(document.querySelector('[data-testid=path-result]').textContent)")
    assert tab.page.get_by_test_id("path-result").inner_text().startswith(f"{hops} hops")
    highlighted = tab.js("() => [...window.explorer.view.highlighted]")
    assert len(highlighted) == hops + 1 and {source, target} <= set(highlighted)
    tab.assert_clean()


def test_ask_highlights_the_subgraph_it_used(tab: Tab, server: str, tmp_path: Path) -> None:
    tab.open(f"{server}/")
    tab.page.get_by_test_id("ask-input").fill("Which papers run LLM decoding on FPGAs?")
    tab.page.get_by_test_id("ask-submit").click()
    tab.page.get_by_test_id("answer-text").wait_for()
    answer = tab.page.get_by_test_id("answer")
    assert "FPGA" in answer.inner_text()
    assert "MATCH" in tab.page.get_by_test_id("cypher").inner_text()
    tab.page.get_by_test_id("copy-cypher").click()
    tab.page.get_by_test_id("toast").filter(has_text="Cypher copied").wait_for()
    tab.page.wait_for_function("() => window.explorer.view.highlighted !== null")
    state = tab.js(
        """() => { const v = window.explorer.view; const lit = [...v.highlighted];
        const dim = v.graph.nodes().filter((n) => !v.highlighted.has(n));
        return { lit, kinds: lit.map((n) => v.graph.getNodeAttribute(n, 'kind')),
                 litColor: v.renderer.getNodeDisplayData(lit[0]).color,
                 dimColor: dim.length ? v.renderer.getNodeDisplayData(dim[0]).color : null }; }"""
    )
    assert "Paper" in state["kinds"] and "Hardware" in state["kinds"]
    assert state["dimColor"] is None or state["dimColor"] != state["litColor"]
    tab.page.wait_for_timeout(1500)  # let the layout settle for the picture
    shot = Path(os.environ.get("PAPERGRAPH_SCREENSHOT") or tmp_path / "explorer.png")
    tab.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    tab.assert_clean()


@pytest.mark.integration
def test_same_page_over_the_bolt_store(tab: Tab, bolt_server: str, embedded_engine: Engine) -> None:
    """Search, expand and path on the Neo4j store (the CI Bolt server has no shortestPath)."""
    tab.open(f"{bolt_server}/")
    assert tab.stats()[0] > 10
    node = best_linked(embedded_engine)
    search_and_pick(tab, next(e.name for e in embedded_engine.store.entities(limit=1000) if e.id == node), node)
    expansion = tab.js("(id) => window.explorer.expansions.get(id)", node)
    assert expansion["total"] == embedded_engine.store.degree(node)
    papers = sorted(embedded_engine.store.paper_ids(), key=lambda p: -(embedded_engine.store.degree(p) or 0))
    tab.js("(id) => window.explorer.expand(id)", papers[0])
    tab.js("(id) => window.explorer.open(window.explorer.view.node(id))", papers[0])
    tab.page.get_by_test_id("path-from").click()
    tab.js("(id) => window.explorer.expand(id)", papers[1])
    tab.js("(id) => window.explorer.open(window.explorer.view.node(id))", papers[1])
    tab.page.get_by_test_id("path-to").click()
    tab.page.wait_for_function("() => /hops/.test(document.querySelector('[data-testid=path-result]').textContent)")
    tab.assert_clean()
