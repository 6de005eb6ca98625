"""The explorer backend: fuzzy catalog search, neighbour pages, shortest paths, subgraphs, the grass style."""

from __future__ import annotations

from typing import Any

import pytest

from papergraph.errors import NotFoundError
from papergraph.explore import views
from papergraph.explore.catalog import Catalog, Entry
from papergraph.explore.models import EntityRef, SubgraphRequest
from papergraph.explore.paths import shortest_path
from papergraph.explore.style import graph_style, grass_path, parse_grass, style_from_grass
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.models import (
    EntityType,
    ExtractedPaper,
    Extraction,
    HardwareMention,
    HardwareType,
    Paper,
    TechniqueMention,
)
from support import sample_docs


def store_of(docs: list[ExtractedPaper]) -> NetworkxStore:
    store = NetworkxStore()
    store.upsert(docs)
    return store


@pytest.fixture(scope="module")
def sample() -> tuple[NetworkxStore, Catalog]:
    docs = sample_docs()
    store = store_of(docs)
    aliases = {"technique:quantization": ["quantisation"], "hardware:nvidia-a100": ["A100"]}
    return store, Catalog(store.entities(limit=1000), [d.paper for d in docs], aliases)


def hub(n: int) -> list[ExtractedPaper]:
    """``n`` papers all naming one GPU; paper i also names technique i (a chain GPU - paper - technique)."""
    docs = []
    for i in range(n):
        paper = Paper(id=f"p{i:03d}", title=f"Paper {i}", abstract="text", year=2015 + i % 10)
        ex = Extraction(
            paper_id=paper.id,
            hardware=[HardwareMention(name="NVIDIA A100", type=HardwareType.GPU, surface="A100")],
            techniques=[TechniqueMention(name=f"trick {i}", surface=f"trick {i}")],
        )
        docs.append(ExtractedPaper(paper=paper, extraction=ex))
    return docs


# --------------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jetsn nano", "hardware:nvidia-jetson-nano"),  # misspelt
        ("quantisation", "technique:quantization"),  # a gazetteer alias
        ("quantizaton", "technique:quantization"),
        ("A100", "hardware:nvidia-a100"),
        ("split computing jetson", "p-jetson"),  # words of a title
        ("p-fpga", "p-fpga"),  # a pasted id
    ],
)
def test_search_finds_names_aliases_titles_and_ids(
    sample: tuple[NetworkxStore, Catalog], query: str, expected: str
) -> None:
    _, catalog = sample
    hits = catalog.search(query, limit=3)
    assert hits and hits[0].id == expected, [(h.id, h.score) for h in hits]


def test_search_reports_what_matched_and_filters_by_label(sample: tuple[NetworkxStore, Catalog]) -> None:
    _, catalog = sample
    hit = catalog.search("quantisation", limit=1)[0]
    assert (hit.name, hit.matched, hit.label, hit.papers) == ("quantization", "quantisation", "Technique", 1)
    papers = catalog.search("vllm", limit=5, labels={"Paper"})
    assert [h.id for h in papers] == ["p-gpu"]
    assert catalog.search("zzzzqqqq") == []
    assert catalog.search("   ") == []


def test_facets_and_top_entities() -> None:
    docs = hub(30)
    catalog = Catalog(store_of(docs).entities(limit=1000), [d.paper for d in docs])
    assert catalog.hardware_types == ["GPU"]
    years = catalog.years
    assert years is not None and (years.min, years.max) == (2015, 2024)
    assert [(h.id, h.papers) for h in catalog.top(1)] == [("hardware:nvidia-a100", 30)]
    assert catalog.papers_of("hardware:nvidia-a100") == 30 and catalog.papers_of("p001") == 1


class _CountingEntries(dict[str, Entry]):
    scans = 0

    def values(self) -> Any:
        type(self).scans += 1
        return super().values()


def test_the_overview_scans_the_catalog_once_per_generation() -> None:
    """/graph/overview's facets and top entities are computed once per catalog (one per loaded generation)."""
    docs = hub(30)
    store = store_of(docs)
    catalog = Catalog(store.entities(limit=1000), [d.paper for d in docs])
    catalog.entries = _CountingEntries(catalog.entries)
    first = views.overview(store, catalog)
    scans = _CountingEntries.scans
    assert [views.overview(store, catalog) for _ in range(3)] == [first] * 3
    assert _CountingEntries.scans == scans <= 3
    assert first.top[0].id == "hardware:nvidia-a100" and first.hardware_types == ["GPU"]


# --------------------------------------------------------------------------------------------------
# Expansion pages
# --------------------------------------------------------------------------------------------------


def test_expand_pages_through_a_hub_and_counts_what_is_left() -> None:
    docs = hub(60)
    store = store_of(docs)
    catalog = Catalog(store.entities(limit=1000), [d.paper for d in docs])
    first = views.expand(store, catalog, "hardware:nvidia-a100", limit=25)
    assert (first.total, first.offset, first.more) == (60, 0, 35)
    assert first.nodes[0].id == "hardware:nvidia-a100" and first.nodes[0].papers == 60
    assert len(first.nodes) == 26 and len(first.edges) == 25
    second = views.expand(store, catalog, "hardware:nvidia-a100", limit=25, offset=25)
    assert second.more == 10
    assert {n.id for n in first.nodes[1:]}.isdisjoint(n.id for n in second.nodes[1:])
    last = views.expand(store, catalog, "hardware:nvidia-a100", limit=25, offset=50)
    assert (len(last.nodes), last.more) == (11, 0)
    assert all(e.target == "hardware:nvidia-a100" for e in last.edges)
    with pytest.raises(NotFoundError):
        views.expand(store, catalog, "hardware:nope", limit=5)


# --------------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------------


def test_shortest_path_through_shared_entities(sample: tuple[NetworkxStore, Catalog]) -> None:
    store, catalog = sample
    path = views.path(store, catalog, "system:tellme", "hardware:amd-kv260", max_hops=6)
    assert path.found and path.hops == 2
    assert [n.id for n in path.nodes] == ["system:tellme", "p-fpga", "hardware:amd-kv260"]
    assert [(e.source, e.target, e.type) for e in path.edges] == [
        ("p-fpga", "system:tellme", "PROPOSES"),
        ("p-fpga", "hardware:amd-kv260", "MENTIONS"),
    ]


def test_path_in_a_chain_is_the_shortest_and_respects_max_hops() -> None:
    store = store_of(hub(20))
    # trick 3 - p003 - A100 - p017 - trick 17: four hops, whichever side expands first
    found = shortest_path(store, "technique:trick-3", "technique:trick-17", max_hops=6)
    assert [n.id for n in found.nodes] == [
        "technique:trick-3",
        "p003",
        "hardware:nvidia-a100",
        "p017",
        "technique:trick-17",
    ]
    assert len(found.edges) == 4
    assert shortest_path(store, "technique:trick-3", "technique:trick-17", max_hops=3).nodes == []
    same = shortest_path(store, "p003", "p003")
    assert [n.id for n in same.nodes] == ["p003"] and same.edges == []


def test_path_between_separate_components_is_not_found(sample: tuple[NetworkxStore, Catalog]) -> None:
    store, catalog = sample
    path = views.path(store, catalog, "system:tellme", "dataset:imagenet", max_hops=10)
    assert not path.found and path.nodes == [] and path.hops == 0 and path.explored > 0
    with pytest.raises(NotFoundError):
        views.path(store, catalog, "system:tellme", "system:nope", max_hops=3)


# --------------------------------------------------------------------------------------------------
# Subgraphs
# --------------------------------------------------------------------------------------------------


def test_subgraph_of_ids_and_entity_names(sample: tuple[NetworkxStore, Catalog]) -> None:
    store, catalog = sample
    req = SubgraphRequest(
        ids=["p-fpga", "metric:p-fpga:0", "p-unknown"],
        entities=[
            EntityRef(type=EntityType.HARDWARE, name="AMD KV260"),
            EntityRef(type=EntityType.SYSTEM, name="Nothing Such"),
        ],
    )
    sub = views.subgraph(store, catalog, req)
    assert {n.id for n in sub.nodes} == {"p-fpga", "metric:p-fpga:0", "hardware:amd-kv260"}
    assert [(e.source, e.target, e.type) for e in sub.edges] == [
        ("metric:p-fpga:0", "hardware:amd-kv260", "MEASURED_ON"),
        ("p-fpga", "hardware:amd-kv260", "MENTIONS"),
        ("p-fpga", "metric:p-fpga:0", "REPORTS"),
    ]
    assert sub.missing == ["p-unknown", "system Nothing Such"]
    assert next(n for n in sub.nodes if n.id == "hardware:amd-kv260").papers == 1


# --------------------------------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------------------------------


def test_grass_is_parsed_with_braces_inside_captions() -> None:
    rules = parse_grass('node { color: #111; }\nnode.Paper {\n  caption: "{title}";\n  diameter: 65px;\n}\n')
    assert rules == {"node": {"color": "#111"}, "node.Paper": {"caption": "{title}", "diameter": "65px"}}


def test_style_follows_the_shipped_grass_file() -> None:
    style = graph_style()
    text = grass_path().read_text()
    assert style == style_from_grass(text)
    assert style.nodes["Paper"].caption == "{title}" and style.nodes["Metric"].caption == "{surface}"
    assert style.nodes["Hardware"].color == parse_grass(text)["node.Hardware"]["color"]
    assert style.relationships["PROPOSES"].width == 3.0
    # a label the sheet does not name inherits the generic node rule
    assert style_from_grass("node { color: #123456; }").nodes["Dataset"].color == "#123456"
