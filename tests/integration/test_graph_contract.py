"""One contract suite for the GraphStore protocol, run over every backend.

Backends: networkx in memory, networkx saved to disk and reloaded after every write, and Neo4j over the
Bolt fixture (a FalkorDB server, or the server NEO4J_URI names) with a byte budget well under 4 KB. The
expected values are written out by hand, so every backend is held to the same answers; a last test feeds a
seeded random corpus to each backend and to an in-memory reference and compares every read.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from papergraph.graph.base import GraphStore
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.graph.query import GroupBy, MetricQuery, NodeMatch, PaperQuery, TallyQuery
from papergraph.models import (
    DatasetMention,
    EntityType,
    ExtractedPaper,
    Extraction,
    GraphStats,
    HardwareLevel,
    HardwareMention,
    HardwareType,
    MetricKind,
    MetricMention,
    Paper,
    SystemMention,
    SystemRole,
    TechniqueMention,
    WriteStats,
)

H, T, S, D, M = (
    EntityType.HARDWARE,
    EntityType.TECHNIQUE,
    EntityType.SYSTEM,
    EntityType.DATASET,
    EntityType.METRIC,
)

# --------------------------------------------------------------------------------------------------
# Hand-made papers
# --------------------------------------------------------------------------------------------------


def hw(
    name: str, type_: HardwareType, family: str | None = None, start: int = 0, sentence: str = ""
) -> HardwareMention:
    return HardwareMention(
        name=name, type=type_, family=family, surface=name, start=start, end=start + len(name), sentence=sentence
    )


def tech(name: str, family: str | None = None, start: int = 0, sentence: str = "") -> TechniqueMention:
    return TechniqueMention(
        name=name, family=family, surface=name, start=start, end=start + len(name), sentence=sentence
    )


def system(name: str, role: SystemRole = SystemRole.MENTIONED, start: int = 0, sentence: str = "") -> SystemMention:
    return SystemMention(name=name, role=role, surface=name, start=start, end=start + len(name), sentence=sentence)


def dataset(name: str, start: int = 0) -> DatasetMention:
    return DatasetMention(name=name, surface=name, start=start, end=start + len(name), sentence=f"On {name}.")


def metric(
    what: str, value: float, unit: str, kind: MetricKind, hardware: str | None = None, value_max: float | None = None
) -> MetricMention:
    surface = f"{value:g} {unit}"
    return MetricMention(
        metric=what,
        value=value,
        value_max=value_max,
        unit=unit,
        kind=kind,
        hardware=hardware,
        surface=surface,
        sentence=f"It reaches {surface}.",
    )


def doc(
    pid: str, title: str, year: int | None = 2024, authors: Sequence[str] = ("A. Author",), **ex: Any
) -> ExtractedPaper:
    return ExtractedPaper(
        paper=Paper(
            id=pid,
            title=title,
            abstract=f"Abstract of {title}.",
            authors=list(authors),
            year=year,
            url=f"https://arxiv.org/abs/{pid}" if year else None,
            categories=["cs.LG"],
            sources=["hand.jsonl"],
        ),
        extraction=Extraction(paper_id=pid, **ex),
    )


A100 = ("NVIDIA A100", HardwareType.GPU, "NVIDIA Ampere")
KV260 = ("AMD KV260", HardwareType.FPGA, "AMD Kria")
NANO = ("NVIDIA Jetson Nano", HardwareType.EDGE_BOARD, "NVIDIA Jetson")
ORIN = ("NVIDIA Jetson Orin", HardwareType.EDGE_BOARD, "NVIDIA Jetson")


def corpus() -> list[ExtractedPaper]:
    """Five papers: every entity type, shared entities, a proposed system, metrics tied to hardware."""
    return [
        doc(
            "p1",
            "TeLLMe: ternary LLM decoding on edge FPGAs",
            hardware=[
                hw(*KV260, start=40, sentence="We run on an AMD KV260."),
                hw("FPGA", HardwareType.FPGA, start=10),
            ],
            techniques=[tech("ternary quantization", "quantization", start=20, sentence="Ternary quantization.")],
            systems=[
                system("TeLLMe", start=5, sentence="TeLLMe is fast."),
                system("TeLLMe", SystemRole.PROPOSED, start=60, sentence="We present TeLLMe."),
            ],
            metrics=[
                metric("decoding throughput", 25, "tokens/s", MetricKind.THROUGHPUT, hardware="AMD KV260"),
                metric("power", 4.5, "W", MetricKind.POWER, value_max=5.0),
            ],
        ),
        doc(
            "p2",
            "Split computing on Jetson boards",
            year=None,
            hardware=[hw(*NANO, start=30, sentence="An NVIDIA Jetson Nano board.")],
            techniques=[tech("split computing", start=3, sentence="Split computing helps.")],
            systems=[system("MobileNetV2", start=50)],
            datasets=[dataset("ImageNet", start=70)],
            metrics=[metric("latency reduction", 40, "%", MetricKind.LATENCY, hardware="NVIDIA Jetson Nano")],
        ),
        doc(
            "p3",
            "Serving LLMs with vLLM on A100 GPUs",
            hardware=[hw(*A100, start=30, sentence="On NVIDIA A100 GPUs.")],
            techniques=[tech("quantization", start=20, sentence="With quantization.")],
            systems=[system("vLLM", start=10, sentence="We benchmark vLLM."), system("vLLM", start=80)],
            metrics=[metric("throughput speedup", 2.1, "x", MetricKind.SPEEDUP, hardware="NVIDIA A100")],
        ),
        doc(
            "p4",
            "a study of quantization on Jetson Orin and A100",
            hardware=[hw(*ORIN, start=25), hw(*A100, start=50)],
            techniques=[tech("quantization", start=10), tech("ternary quantization", "quantization", start=12)],
            datasets=[dataset("ImageNet", start=90)],
            metrics=[metric("top-1 accuracy", 76.1, "%", MetricKind.ACCURACY)],
        ),
        doc(
            "p5",
            "FPGA versus GPU for CNN inference",
            hardware=[hw("FPGA", HardwareType.FPGA, start=0), hw(*A100, start=20)],
            techniques=[tech("Größe-aware pruning", "pruning", start=40)],
            datasets=[dataset("CIFAR-10", start=60)],
        ),
    ]


# --------------------------------------------------------------------------------------------------
# Backends
# --------------------------------------------------------------------------------------------------


class ReloadingStore:
    """The embedded store, saved and loaded from disk after every write: reads see only what was saved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.inner = NetworkxStore(path)

    def _reload(self) -> None:
        self.inner.commit()
        self.inner = NetworkxStore(self.path)

    def upsert(self, papers: Sequence[ExtractedPaper]) -> WriteStats:
        stats = self.inner.upsert(papers)
        self._reload()
        return stats

    def delete_papers(self, paper_ids: Sequence[str]) -> int:
        deleted = self.inner.delete_papers(paper_ids)
        self._reload()
        return deleted

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


BACKENDS = [
    pytest.param("networkx", id="networkx"),
    pytest.param("networkx-file", id="networkx-file"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.integration),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "networkx":
        yield NetworkxStore()
    elif request.param == "networkx-file":
        yield ReloadingStore(tmp_path / "graph")  # type: ignore[misc]
    else:
        yield request.getfixturevalue("neo4j_store")


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Every read of the protocol over the whole graph, as plain data."""
    ids = sorted(store.paper_ids())
    out: dict[str, Any] = {
        "ids": ids,
        "stats": store.stats().model_dump(),
        "papers": {pid: store.paper(pid).model_dump() for pid in ids},  # type: ignore[union-attr]
        "entities": [e.model_dump() for e in store.entities(limit=1000)],
    }
    for type_ in EntityType:
        for e in store.entities(type_, limit=1000):
            detail = store.entity(type_, e.id)
            out[f"entity:{e.id}"] = detail.model_dump() if detail else None
    nodes = ids + [e.id for e in store.entities(limit=1000)]
    for node in nodes:
        for depth, limit in ((1, 100), (2, 100), (2, 4)):
            sub = store.neighbours(node, depth=depth, limit=limit)
            out[f"nb:{node}:{depth}:{limit}"] = sub.model_dump() if sub else None
    return out


# --------------------------------------------------------------------------------------------------
# The contract
# --------------------------------------------------------------------------------------------------


class TestGraphStoreContract:
    def test_is_a_graph_store(self, store: GraphStore) -> None:
        assert isinstance(store, GraphStore)

    def test_upsert_counts_and_stats(self, store: GraphStore) -> None:
        stats = store.upsert(corpus())
        # 3 family nodes (NVIDIA Ampere, AMD Kria, NVIDIA Jetson) and 4 IN_FAMILY edges from the models' families
        assert stats == WriteStats(papers=5, nodes=27, relationships=32)
        assert store.stats() == GraphStats(
            nodes={"Paper": 5, "Hardware": 8, "Technique": 4, "System": 3, "Dataset": 2, "Metric": 5},
            relationships={"MENTIONS": 19, "PROPOSES": 1, "REPORTS": 5, "MEASURED_ON": 3, "IN_FAMILY": 4},
        )
        assert store.paper_ids() == {"p1", "p2", "p3", "p4", "p5"}
        assert store.paper_hashes() == {d.paper.id: d.paper.content_hash for d in corpus()}

    def test_upsert_is_idempotent(self, store: GraphStore) -> None:
        first = store.upsert(corpus())
        before = snapshot(store)
        assert store.upsert(corpus()) == first
        assert snapshot(store) == before

    def test_paper_record(self, store: GraphStore) -> None:
        store.upsert(corpus())
        record = store.paper("p1")
        assert record is not None
        assert (record.title, record.year, record.url) == (
            "TeLLMe: ternary LLM decoding on edge FPGAs",
            2024,
            "https://arxiv.org/abs/p1",
        )
        assert record.abstract == "Abstract of TeLLMe: ternary LLM decoding on edge FPGAs."
        assert (record.authors, record.categories, record.sources) == (["A. Author"], ["cs.LG"], ["hand.jsonl"])
        links = [(e.type, e.id, e.relationship, e.start) for e in record.entities]
        assert links == [
            (H, "hardware:fpga", "MENTIONS", 10),
            (H, "hardware:amd-kv260", "MENTIONS", 40),
            (S, "system:tellme", "PROPOSES", 60),
            (T, "technique:ternary-quantization", "MENTIONS", 20),
        ]
        kv260 = record.entities[1]
        assert kv260.properties == {"type": "FPGA", "family": "AMD Kria", "level": "model"}
        assert (kv260.evidence, kv260.surface, kv260.field, kv260.end) == (
            "We run on an AMD KV260.",
            "AMD KV260",
            "abstract",
            49,
        )
        assert record.entities[2].evidence == "We present TeLLMe."  # the proposing sentence
        assert [(m.id, m.kind, m.value, m.value_max, m.hardware) for m in record.metrics] == [
            ("metric:p1:0", "throughput", 25.0, None, "AMD KV260"),
            ("metric:p1:1", "power", 4.5, 5.0, None),
        ]
        assert record.metrics[0].evidence == "It reaches 25 tokens/s."
        no_year = store.paper("p2")
        assert no_year is not None and (no_year.year, no_year.url) == (None, None)
        assert store.paper("nope") is None
        assert store.paper("hardware:nvidia-a100") is None

    def test_link_counts_mentions(self, store: GraphStore) -> None:
        store.upsert(corpus())
        sub = store.neighbours("p3", depth=1)
        assert sub is not None
        vllm = [e for e in sub.edges if e.target == "system:vllm"]
        assert len(vllm) == 1 and vllm[0].properties["count"] == 2

    def test_replace_on_upsert(self, store: GraphStore) -> None:
        store.upsert(corpus())
        changed = doc(
            "p3",
            "Serving LLMs on H100 GPUs",
            year=None,
            hardware=[hw("NVIDIA H100", HardwareType.GPU, "NVIDIA Hopper", start=3)],
            techniques=[tech("quantization", start=9)],
        )
        assert store.upsert([changed]) == WriteStats(papers=1, nodes=4, relationships=3)  # + NVIDIA Hopper
        record = store.paper("p3")
        assert record is not None
        assert record.title == "Serving LLMs on H100 GPUs"
        assert (record.year, record.url) == (None, None)  # nothing of the old version is left
        assert [e.id for e in record.entities] == ["hardware:nvidia-h100", "technique:quantization"]
        assert record.metrics == []
        assert store.entity(S, "vLLM") is None  # linked by p3 only: removed
        a100 = store.entity(H, "NVIDIA A100")
        assert a100 is not None and [p.id for p in a100.papers] == ["p4", "p5"]
        assert store.stats().nodes["Metric"] == 4
        assert store.stats().relationships["MEASURED_ON"] == 2

    def test_upsert_same_paper_twice_in_one_batch_keeps_the_last(self, store: GraphStore) -> None:
        first = doc("p9", "Old title", hardware=[hw(*A100)])
        last = doc("p9", "New title", techniques=[tech("pruning")])
        assert store.upsert([first, last]).papers == 1
        record = store.paper("p9")
        assert record is not None and record.title == "New title"
        assert [e.id for e in record.entities] == ["technique:pruning"]
        assert store.entity(H, "NVIDIA A100") is None

    def test_delete_papers_removes_orphans(self, store: GraphStore) -> None:
        store.upsert(corpus())
        assert store.delete_papers(["p1", "p1", "missing"]) == 1
        assert store.paper("p1") is None
        assert store.entity(H, "AMD KV260") is None
        assert store.entity(S, "TeLLMe") is None
        assert store.entity(H, "FPGA") is not None  # p5 still links it
        ternary = store.entity(T, "ternary quantization")
        assert ternary is not None and ternary.entity.papers == 1
        assert store.stats().nodes["Metric"] == 3
        assert store.papers_for({M: ["throughput"]}) == set()
        assert store.delete_papers(["p1"]) == 0
        assert store.delete_papers([]) == 0

    def test_papers_for_matching_rules(self, store: GraphStore) -> None:
        store.upsert(corpus())
        assert store.papers_for({}) == {"p1", "p2", "p3", "p4", "p5"}
        assert store.papers_for({H: ["fpga"]}) == {"p1", "p5"}  # hardware type and a generic name
        assert store.papers_for({H: ["NVIDIA Jetson"]}) == {"p2", "p4"}  # family
        assert store.papers_for({H: ["Jetson"]}) == set()  # no partial names
        assert store.papers_for({H: ["edge-board"]}) == {"p2", "p4"}
        assert store.papers_for({H: ["nvidia a100", "AMD KV260"]}) == {"p1", "p3", "p4", "p5"}  # OR
        assert store.papers_for({H: ["hardware:nvidia-a100"]}) == {"p3", "p4", "p5"}  # by id
        assert store.papers_for({H: ["  NVIDIA A100 "]}) == {"p3", "p4", "p5"}
        assert store.papers_for({T: ["quantization"]}) == {"p1", "p3", "p4"}  # name or family
        assert store.papers_for({H: ["NVIDIA A100"], T: ["quantization"]}) == {"p3", "p4"}  # AND
        assert store.papers_for({H: ["FPGA"], D: ["cifar-10"]}) == {"p5"}
        assert store.papers_for({T: ["GRÖSSE-AWARE PRUNING"]}) == {"p5"}  # case-folded: ß == ss
        assert store.papers_for({T: ["pruning"], H: ["NVIDIA Jetson"]}) == set()
        assert store.papers_for({S: ["tellme"]}) == {"p1"}  # a PROPOSES link counts
        assert store.papers_for({M: ["LATENCY"]}) == {"p2"}  # metric kinds
        assert store.papers_for({M: ["throughput", "speedup"]}) == {"p1", "p3"}
        assert store.papers_for({M: ["speedup"], H: ["nvidia ampere"]}) == {"p3"}
        assert store.papers_for({H: []}) == set()
        assert store.papers_for({D: ["MNIST"]}) == set()

    def test_entities_order_and_filter(self, store: GraphStore) -> None:
        store.upsert(corpus())
        hardware = store.entities(H)
        assert [(e.name, e.papers) for e in hardware] == [  # most-linked first, ties by case-folded name
            ("NVIDIA A100", 3),
            ("NVIDIA Ampere", 3),  # a family counts the papers of its members
            ("FPGA", 2),
            ("NVIDIA Jetson", 2),
            ("AMD Kria", 1),
            ("AMD KV260", 1),
            ("NVIDIA Jetson Nano", 1),
            ("NVIDIA Jetson Orin", 1),
        ]
        assert hardware[0].type is H
        assert hardware[0].properties == {"type": "GPU", "family": "NVIDIA Ampere", "level": "model"}
        assert hardware[1].properties == {"type": "GPU", "level": "family"}
        assert [e.name for e in store.entities(H, q="JETSON")] == [
            "NVIDIA Jetson",
            "NVIDIA Jetson Nano",
            "NVIDIA Jetson Orin",
        ]
        assert [e.name for e in store.entities(T, q="größe")] == ["Größe-aware pruning"]
        assert [e.name for e in store.entities(H, limit=2)] == ["NVIDIA A100", "NVIDIA Ampere"]
        everything = store.entities(limit=100)
        assert len(everything) == 17
        assert [(e.id, e.papers) for e in everything[:7]] == [
            ("hardware:nvidia-a100", 3),
            ("hardware:nvidia-ampere", 3),
            ("hardware:fpga", 2),
            ("dataset:imagenet", 2),
            ("hardware:nvidia-jetson", 2),
            ("technique:quantization", 2),
            ("technique:ternary-quantization", 2),
        ]
        assert [e.name for e in store.entities(q="quant")] == ["quantization", "ternary quantization"]
        assert store.entities(M) == []
        assert store.entities(H, q="no such thing") == []
        assert store.entities(H, limit=0) == []

    def test_total_entities_counts_every_match_whatever_the_limit(self, store: GraphStore) -> None:
        store.upsert(corpus())
        # 14 named entities and the 3 family nodes the hierarchy adds (NVIDIA Ampere, NVIDIA Jetson, AMD Kria)
        assert store.total_entities() == len(store.entities(limit=1000)) == 17
        assert store.total_entities(H) == 8
        assert store.total_entities(H, q="JETSON") == 3
        assert store.total_entities(q="quant") == 2
        assert store.total_entities(M) == 0
        assert store.total_entities(H, q="no such thing") == 0

    def test_entity_detail(self, store: GraphStore) -> None:
        store.upsert(corpus())
        detail = store.entity(H, "nvidia a100")
        assert detail is not None
        assert detail.entity.id == "hardware:nvidia-a100" and detail.entity.papers == 3
        assert [(p.id, p.evidence) for p in detail.papers] == [
            ("p4", ""),  # titles sort case-insensitively: "a study..." first
            ("p5", ""),
            ("p3", "On NVIDIA A100 GPUs."),
        ]
        assert [(e.id, e.papers) for e in detail.cooccurring] == [
            ("technique:quantization", 2),
            ("dataset:cifar-10", 1),
            ("hardware:fpga", 1),
            ("technique:gr-sse-aware-pruning", 1),
            ("dataset:imagenet", 1),
            ("hardware:nvidia-jetson-orin", 1),
            ("technique:ternary-quantization", 1),
            ("system:vllm", 1),
        ]
        assert detail.cooccurring[0].type is T
        by_id = store.entity(H, "hardware:nvidia-a100", limit=1)
        assert by_id is not None and len(by_id.papers) == 1 and len(by_id.cooccurring) == 1
        jetson = store.entity(H, "NVIDIA Jetson")  # a family: its own papers and its members'
        assert jetson is not None and [p.id for p in jetson.papers] == ["p4", "p2"]
        assert jetson.papers[1].evidence == "An NVIDIA Jetson Nano board."  # the evidence of the member's link
        assert "hardware:nvidia-jetson-nano" not in {e.id for e in jetson.cooccurring}
        assert store.entity(H, "Jetson") is None
        assert store.entity(T, "hardware:nvidia-a100") is None  # id of another type
        assert store.entity(M, "throughput") is None

    def test_neighbours(self, store: GraphStore) -> None:
        store.upsert(corpus())
        assert store.neighbours("nope") is None
        sub = store.neighbours("p1", depth=1)
        assert sub is not None
        assert [n.id for n in sub.nodes] == [
            "p1",
            "hardware:amd-kv260",
            "hardware:fpga",
            "metric:p1:0",
            "metric:p1:1",
            "system:tellme",
            "technique:ternary-quantization",
        ]
        assert [(n.label, n.name) for n in sub.nodes[:4]] == [
            ("Paper", "TeLLMe: ternary LLM decoding on edge FPGAs"),
            ("Hardware", "AMD KV260"),
            ("Hardware", "FPGA"),
            ("Metric", "25 tokens/s"),
        ]
        assert "abstract" not in sub.nodes[0].properties and sub.nodes[0].properties["year"] == 2024
        assert sub.nodes[1].properties == {
            "id": "hardware:amd-kv260",
            "name": "AMD KV260",
            "type": "FPGA",
            "family": "AMD Kria",
            "level": "model",
        }
        assert [(e.source, e.target, e.type) for e in sub.edges] == [
            ("metric:p1:0", "hardware:amd-kv260", "MEASURED_ON"),
            ("p1", "hardware:amd-kv260", "MENTIONS"),
            ("p1", "hardware:fpga", "MENTIONS"),
            ("p1", "metric:p1:0", "REPORTS"),
            ("p1", "metric:p1:1", "REPORTS"),
            ("p1", "system:tellme", "PROPOSES"),
            ("p1", "technique:ternary-quantization", "MENTIONS"),
        ]
        assert sub.edges[0].properties == {}
        assert sub.edges[1].properties["evidence"] == "We run on an AMD KV260."
        two = store.neighbours("hardware:fpga", depth=2)
        assert two is not None
        assert [n.id for n in two.nodes][:3] == ["hardware:fpga", "p1", "p5"]
        assert {n.id for n in two.nodes} >= {"hardware:nvidia-a100", "dataset:cifar-10", "system:tellme"}
        capped = store.neighbours("hardware:fpga", depth=2, limit=4)
        assert capped is not None
        assert [n.id for n in capped.nodes] == ["hardware:fpga", "p1", "p5", "hardware:amd-kv260"]
        assert [(e.source, e.target) for e in capped.edges] == [
            ("p1", "hardware:amd-kv260"),
            ("p1", "hardware:fpga"),
            ("p5", "hardware:fpga"),
        ]
        alone = store.neighbours("dataset:imagenet", depth=0)
        assert alone is not None and [n.id for n in alone.nodes] == ["dataset:imagenet"] and alone.edges == []

    def test_degree_counts_distinct_neighbours_both_ways(self, store: GraphStore) -> None:
        store.upsert(corpus())
        assert store.degree("nope") is None
        around = store.neighbours("p1", depth=1, limit=1000)
        assert around is not None and store.degree("p1") == len(around.nodes) - 1 == 6
        fpga = store.neighbours("hardware:fpga", depth=1, limit=1000)
        assert fpga is not None and store.degree("hardware:fpga") == len(fpga.nodes) - 1
        # the paper naming it, the metric measured on it and its family (IN_FAMILY to "AMD Kria")
        assert store.degree("hardware:amd-kv260") == 3

    def test_long_values_round_trip(self, store: GraphStore) -> None:
        """A paper bigger than one 4 KB message: long abstract, many authors, a very long evidence sentence."""
        abstract = ("Ünïcödé ☃ " + "x" * 90 + " ") * 70  # ~7 KB of UTF-8
        sentence = "We evaluate on an NVIDIA A100 " + "with a very long sentence " * 200
        big = ExtractedPaper(
            paper=Paper(
                id="big",
                title="A very long paper",
                abstract=abstract,
                authors=[f"Author Number {i}" for i in range(400)],
                sources=["hand.jsonl"],
            ),
            extraction=Extraction(
                paper_id="big",
                hardware=[hw(*A100, start=5, sentence=sentence)],
                metrics=[metric("latency", 3.0, "ms", MetricKind.LATENCY, hardware="NVIDIA A100")],
            ),
        )
        first = store.upsert([big])
        assert store.upsert([big]) == first
        record = store.paper("big")
        assert record is not None
        assert record.abstract == abstract
        assert record.authors == [f"Author Number {i}" for i in range(400)]
        assert record.entities[0].evidence == sentence
        assert record.metrics[0].hardware == "NVIDIA A100"

    def test_awkward_text_and_numbers_round_trip(self, store: GraphStore) -> None:
        """Quotes, backslashes (LaTeX) and floats that six decimals would ruin come back exactly."""
        title = "Don't \"quote\" me: 2.08\\% in C:\\new\\table, it's \\'fine\\'"
        odd = ExtractedPaper(
            paper=Paper(id="it's", title=title, abstract=title * 3, authors=["O'Brien", "A\\B"]),
            extraction=Extraction(
                paper_id="it's",
                techniques=[tech("Moore's law", "scaling 'laws'", sentence="Moore's law \\o/")],
                metrics=[
                    metric("ratio", 1 / 3, "x", MetricKind.SPEEDUP, value_max=1e-9),
                    metric("energy", 123456789.123456789, "J", MetricKind.ENERGY),
                ],
            ),
        )
        store.upsert([odd])
        record = store.paper("it's")
        assert record is not None
        assert (record.title, record.abstract, record.authors) == (title, title * 3, ["O'Brien", "A\\B"])
        assert [(m.value, m.value_max) for m in record.metrics] == [(1 / 3, 1e-9), (123456789.123456789, None)]
        assert record.entities[0].evidence == "Moore's law \\o/"
        assert store.papers_for({T: ["MOORE'S LAW"]}) == {"it's"}
        assert store.papers_for({T: ["scaling 'laws'"]}) == {"it's"}
        assert [e.name for e in store.entities(T, q="e's")] == ["Moore's law"]
        detail = store.entity(T, "moore's law")
        assert detail is not None and detail.papers[0].id == "it's"
        sub = store.neighbours("it's")
        assert sub is not None and sub.nodes[0].name == title
        assert store.delete_papers(["it's"]) == 1 and store.entities() == []

    def test_same_results_as_the_reference(self, store: GraphStore) -> None:
        """A seeded random corpus, then replacements and deletions: every read equals the in-memory store."""
        reference = NetworkxStore()
        docs = random_corpus(random.Random(7), 30)
        for target in (store, reference):
            target.upsert(docs[:20])
            target.upsert(docs[20:])
        assert snapshot(store) == snapshot(reference)
        changed = random_corpus(random.Random(8), 30)[:10]
        for target in (store, reference):
            target.upsert(changed)
            target.delete_papers(["r11", "r12", "r13"])
        assert snapshot(store) == snapshot(reference)
        for filters in (
            {H: ["GPU"]},
            {H: ["Boards"]},
            {H: ["gpu"], T: ["Quantization"]},
            {S: ["sys-1", "sys-2"], M: ["latency"]},
            {D: ["data-0"]},
        ):
            assert store.papers_for(filters) == reference.papers_for(filters)
        for query in (
            PaperQuery(),
            pq([hwm(hw_type="GPU")], [NodeMatch(type=T, family=("quantization",))]),
            pq([hwm(family=("Boards",)), NodeMatch(type=S, ids=("system:sys-1",))], year_min=2024),
            PaperQuery(metric_kinds=("latency", "energy"), year_max=2023),
        ):
            assert store.papers_where(query) == reference.papers_where(query)
            for type_ in (H, T, S, D):
                for by in GroupBy:
                    tally = tq(type_, query, by=by, limit=None)
                    assert store.count_entities(tally) == reference.count_entities(tally)
            kinds = [k.value for k in list(MetricKind)[:5]]
            for descending in (True, False):
                numbers = mq(kinds, query, descending=descending, limit=None)
                assert store.metric_values(numbers) == reference.metric_values(numbers)
            assert store.papers_per_year(query) == reference.papers_per_year(query)


# --------------------------------------------------------------------------------------------------
# Question reads: level-aware matching and aggregations (papergraph.graph.query)
# --------------------------------------------------------------------------------------------------

AGX = ("NVIDIA Jetson AGX Orin", HardwareType.EDGE_BOARD, "NVIDIA Jetson Orin")
VENDORS = {"hardware:nvidia-a100": "NVIDIA", "hardware:nvidia-jetson-nano": "NVIDIA", "hardware:amd-kv260": "AMD"}
FAMILY_NODES = {"hardware:nvidia-jetson": "NVIDIA Jetson"}
IN_FAMILY_EDGES = [
    ("hardware:nvidia-jetson-agx-orin", "hardware:nvidia-jetson-orin"),
    ("hardware:nvidia-jetson-orin", "hardware:nvidia-jetson"),
    ("hardware:nvidia-jetson-nano", "hardware:nvidia-jetson"),
]


def question_corpus() -> list[ExtractedPaper]:
    """The five papers plus two with years, authors and a model two family levels below "NVIDIA Jetson"."""
    return [
        *corpus(),
        doc(
            "p6",
            "LLM decoding on a Jetson AGX Orin",
            year=2022,
            authors=("Ann Smith", "Bo Li"),
            hardware=[hw(*AGX, start=20)],
            techniques=[tech("quantization", start=5)],
            systems=[system("TeLLMe", start=40)],
            metrics=[metric("decoding throughput", 31, "tokens/s", MetricKind.THROUGHPUT, hardware=AGX[0])],
        ),
        doc(
            "p7",
            "Pruning CNNs for FPGAs",
            year=2023,
            authors=("Bo Li",),
            hardware=[hw("FPGA", HardwareType.FPGA, start=20)],
            techniques=[tech("pruning", start=0)],
            metrics=[metric("throughput", 25, "tokens/s", MetricKind.THROUGHPUT)],
        ),
    ]


def add_hierarchy(store: GraphStore, request: pytest.FixtureRequest) -> None:
    """Vendors, a family node and IN_FAMILY links, as the extraction hierarchy writes them (PLAN.md)."""
    if isinstance(store, ReloadingStore | NetworkxStore):
        inner = store.inner if isinstance(store, ReloadingStore) else store
        for node, vendor in VENDORS.items():
            inner.g.nodes[node]["vendor"] = vendor
        for node, name in FAMILY_NODES.items():
            inner.g.add_node(node, label="Hardware", id=node, name=name, type="edge-board", level="family")
        inner.g.add_edges_from((a, b, {"type": "IN_FAMILY"}) for a, b in IN_FAMILY_EDGES)
        inner._changed()
        if isinstance(store, ReloadingStore):
            store._reload()
        return
    driver = request.getfixturevalue("neo4j_driver")
    database = request.getfixturevalue("bolt_target").database
    for node, vendor in VENDORS.items():
        driver.execute_query(
            "MATCH (n:Hardware {id: $id}) SET n.vendor = $v", {"id": node, "v": vendor}, database_=database
        )
    for node, name in FAMILY_NODES.items():  # MERGE: the rows already write the family nodes and links
        props = {"name": name, "type": "edge-board", "level": "family", "name_key": name.casefold()}
        driver.execute_query(
            "MERGE (n:Hardware {id: $id}) SET n += $props", {"id": node, "props": props}, database_=database
        )
    for a, b in IN_FAMILY_EDGES:
        driver.execute_query(
            "MATCH (a:Hardware {id: $a}), (b:Hardware {id: $b}) MERGE (a)-[:IN_FAMILY]->(b)",
            {"a": a, "b": b},
            database_=database,
        )


def hwm(**kw: Any) -> NodeMatch:
    return NodeMatch(type=H, **kw)


def tq(type_: EntityType, within: PaperQuery | None = None, **kw: Any) -> TallyQuery:
    return TallyQuery(type=type_, within=within, **kw)


def mq(kinds: Sequence[str], within: PaperQuery | None = None, **kw: Any) -> MetricQuery:
    return MetricQuery(kinds=tuple(kinds), within=within, **kw)


def pq(*groups: Sequence[NodeMatch], **kw: Any) -> PaperQuery:
    return PaperQuery(all_of=tuple(tuple(g) for g in groups), **kw)


class TestQuestionReads:
    def test_papers_where_levels(self, store: GraphStore) -> None:
        store.upsert(question_corpus())
        assert store.papers_where(PaperQuery()) == {f"p{i}" for i in range(1, 8)}
        assert store.papers_where(pq([hwm(ids=("hardware:nvidia-a100",))])) == {"p3", "p4", "p5"}
        assert store.papers_where(pq([hwm(hw_type="FPGA")])) == {"p1", "p5", "p7"}  # every FPGA, named or not
        # the rows write the family nodes: AGX Orin -> NVIDIA Jetson Orin -> NVIDIA Jetson
        assert store.papers_where(pq([hwm(family=("NVIDIA Jetson",))])) == {"p2", "p4", "p6"}
        assert store.papers_where(pq([hwm(family=("NVIDIA Jetson Orin",))])) == {"p4", "p6"}  # node name or family
        assert store.papers_where(pq([hwm(vendor="NVIDIA")])) == {"p2", "p3", "p4", "p5", "p6"}  # name prefix
        assert store.papers_where(pq([hwm(vendor="NVIDIA", hw_type="GPU")])) == {"p3", "p4", "p5"}
        assert store.papers_where(pq([hwm(vendor="AMD", hw_type="GPU")])) == set()
        assert store.papers_where(pq([hwm(vendor="AMD"), hwm(hw_type="GPU")])) == {"p1", "p3", "p4", "p5"}  # OR
        tech_q = NodeMatch(type=T, family=("quantization",))
        assert store.papers_where(pq([tech_q])) == {"p1", "p3", "p4", "p6"}
        assert store.papers_where(pq([tech_q], [hwm(hw_type="FPGA")])) == {"p1"}  # AND
        assert store.papers_where(pq([NodeMatch(type=S, ids=("system:tellme",))])) == {"p1", "p6"}
        assert store.papers_where(pq([NodeMatch(type=S, ids=("system:tellme",)), tech_q])) == {"p1", "p3", "p4", "p6"}
        assert store.papers_where(pq([])) == set()  # an empty group matches nothing
        assert store.papers_where(pq([hwm(ids=("hardware:nope",))])) == set()

    def test_papers_where_paper_filters(self, store: GraphStore) -> None:
        store.upsert(question_corpus())
        assert store.papers_where(PaperQuery(year_min=2023)) == {"p1", "p3", "p4", "p5", "p7"}  # no year: out
        assert store.papers_where(PaperQuery(year_min=2022, year_max=2023)) == {"p6", "p7"}
        assert store.papers_where(PaperQuery(authors=("Bo Li",))) == {"p6", "p7"}
        assert store.papers_where(PaperQuery(authors=("Ann Smith", "Nobody"))) == {"p6"}
        assert store.papers_where(PaperQuery(coauthors=("Bo Li", "Ann Smith"))) == {"p6"}  # every one of them
        assert store.papers_where(PaperQuery(authors=("Bo Li",), coauthors=("Nobody",))) == set()
        assert store.papers_where(pq([hwm(hw_type="FPGA")], authors=("Bo Li",))) == {"p7"}
        assert store.papers_where(PaperQuery(metric_kinds=("throughput",))) == {"p1", "p6", "p7"}
        assert store.papers_where(PaperQuery(metric_kinds=("throughput",), year_max=2022)) == {"p6"}
        assert store.papers_where(PaperQuery(papers=frozenset({"p1", "p6", "nope"}))) == {"p1", "p6"}
        on_topic = PaperQuery(papers=frozenset({"p4", "p7"}))  # papers chosen outside the graph (their text)
        assert [(t.name, t.papers) for t in store.count_entities(tq(T, on_topic))] == [
            ("pruning", 1),
            ("quantization", 1),
            ("ternary quantization", 1),
        ]
        tellme = NodeMatch(type=S, ids=("system:tellme",))
        assert store.papers_where(pq([tellme])) == {"p1", "p6"}
        assert store.papers_where(pq([tellme], not_proposing=(tellme,))) == {"p6"}  # p1 proposes TeLLMe
        assert store.papers_where(PaperQuery(not_proposing=(tellme,), year_min=2022)) == {"p3", "p4", "p5", "p6", "p7"}

    def test_hierarchy_levels(self, store: GraphStore, request: pytest.FixtureRequest) -> None:
        store.upsert(question_corpus())
        add_hierarchy(store, request)
        assert store.papers_where(pq([hwm(family=("NVIDIA Jetson",))])) == {"p2", "p4", "p6"}  # two hops up
        assert store.papers_where(pq([hwm(family=("NVIDIA Jetson Orin",))])) == {"p4", "p6"}
        assert store.papers_where(pq([hwm(vendor="NVIDIA", hw_type="edge-board")])) == {"p2", "p4", "p6"}
        assert store.papers_where(pq([hwm(vendor="AMD")])) == {"p1"}  # a stored vendor beats the name
        jetson = hwm(family=("NVIDIA Jetson",))
        tallies = store.count_entities(tq(H, include=jetson))
        assert [(t.name, t.papers) for t in tallies] == [
            ("NVIDIA Jetson AGX Orin", 1),
            ("NVIDIA Jetson Nano", 1),
            ("NVIDIA Jetson Orin", 1),
        ]
        by_vendor = store.count_entities(tq(H, by=GroupBy.VENDOR))
        assert [(t.name, t.papers, t.id) for t in by_vendor] == [("NVIDIA", 4, None), ("AMD", 1, None)]
        # by line: every node counts for the top of its IN_FAMILY chain (AGX Orin -> Jetson Orin -> Jetson)
        lines = store.count_entities(tq(H, by=GroupBy.LINE, limit=None))
        assert [(t.name, t.papers, t.id, t.group) for t in lines] == [
            ("FPGA", 3, "hardware:fpga", GroupBy.LINE),
            ("NVIDIA Ampere", 3, "hardware:nvidia-ampere", GroupBy.LINE),
            ("NVIDIA Jetson", 3, "hardware:nvidia-jetson", GroupBy.LINE),
            ("AMD Kria", 1, "hardware:amd-kria", GroupBy.LINE),
        ]
        boards = store.count_entities(tq(H, include=hwm(hw_type="edge-board"), by=GroupBy.LINE, limit=1))
        assert [(t.name, t.papers) for t in boards] == [("NVIDIA Jetson", 3)]
        models = store.count_entities(tq(H, include=hwm(hw_type="edge-board", level="model")))
        assert [t.name for t in models] == ["NVIDIA Jetson AGX Orin", "NVIDIA Jetson Nano", "NVIDIA Jetson Orin"]
        assert store.papers_where(pq([hwm(level="family")])) == set()  # no paper names the Jetson node itself
        assert store.papers_where(pq([hwm(vendor="NVIDIA", not_hw_type="GPU")])) == {"p2", "p4", "p6"}  # boards
        assert store.papers_where(pq([hwm(vendor="NVIDIA", level="model", hw_type="GPU")])) == {"p3", "p4", "p5"}

    def test_count_entities_agrees_with_entities(self, store: GraphStore) -> None:
        store.upsert(question_corpus())
        # a tally counts the papers naming a node; an entity listing counts a family's members' papers too
        families = {
            "hardware:nvidia-ampere",
            "hardware:amd-kria",
            "hardware:nvidia-jetson",
            "hardware:nvidia-jetson-orin",
        }
        for type_ in (H, T, S, D):
            counted = [(t.id, t.name, t.papers, t.properties) for t in store.count_entities(tq(type_, limit=None))]
            listed = [(e.id, e.name, e.papers, e.properties) for e in store.entities(type_, limit=1000)]
            assert [c for c in counted if c[0] not in families] == [e for e in listed if e[0] not in families]
        on = {e.id: e.papers for e in store.entities(H, limit=1000)}
        named = {t.id: t.papers for t in store.count_entities(tq(H, limit=None))}
        assert (on["hardware:nvidia-jetson-orin"], named["hardware:nvidia-jetson-orin"]) == (2, 1)  # + AGX Orin
        assert on["hardware:nvidia-jetson"] == 3 and "hardware:nvidia-jetson" not in named  # no paper names it
        assert [t.name for t in store.count_entities(tq(H, limit=2))] == ["FPGA", "NVIDIA A100"]  # a tie: by name
        assert store.count_entities(tq(M)) == []

    def test_count_entities_within_and_cooccurrence(self, store: GraphStore) -> None:
        store.upsert(question_corpus())
        quant = NodeMatch(type=T, family=("quantization",))
        around = store.count_entities(tq(T, pq([quant]), exclude=[quant]))
        assert [(t.name, t.papers) for t in around] == []  # quantization papers use no other technique
        hw_around = store.count_entities(tq(H, pq([quant])))
        assert [(t.name, t.papers) for t in hw_around] == [
            ("NVIDIA A100", 2),
            ("AMD KV260", 1),
            ("FPGA", 1),
            ("NVIDIA Jetson AGX Orin", 1),
            ("NVIDIA Jetson Orin", 1),
        ]
        fpga = hwm(hw_type="FPGA")
        assert [(t.name, t.papers) for t in store.count_entities(tq(T, pq([fpga])))] == [
            ("Größe-aware pruning", 1),
            ("pruning", 1),
            ("ternary quantization", 1),
        ]
        by_type = store.count_entities(tq(H, pq([quant]), by=GroupBy.TYPE))
        assert [(t.name, t.papers) for t in by_type] == [("edge-board", 2), ("GPU", 2), ("FPGA", 1)]
        by_family = store.count_entities(tq(H, by=GroupBy.FAMILY, limit=2))
        assert [(t.name, t.papers) for t in by_family] == [("NVIDIA Ampere", 3), ("NVIDIA Jetson", 2)]
        excluded = store.count_entities(tq(H, exclude=[fpga, hwm(vendor="NVIDIA")]))
        assert [t.name for t in excluded] == []
        only_amd = store.count_entities(tq(H, exclude=[hwm(vendor="NVIDIA")]))
        assert [t.name for t in only_amd] == ["FPGA", "AMD KV260"]

    def test_metric_values(self, store: GraphStore) -> None:
        store.upsert(question_corpus())
        hits = store.metric_values(mq(["throughput"]))
        assert [(h.paper_id, h.metric.value, h.metric.unit) for h in hits] == [
            ("p6", 31.0, "tokens/s"),
            ("p1", 25.0, "tokens/s"),  # a tie: paper id decides
            ("p7", 25.0, "tokens/s"),
        ]
        assert hits[0].paper_title == "LLM decoding on a Jetson AGX Orin"
        assert hits[0].metric.evidence == "It reaches 31 tokens/s." and hits[0].metric.hardware == AGX[0]
        low = store.metric_values(mq(["throughput", "speedup"], descending=False, limit=2))
        assert [(h.paper_id, h.metric.value) for h in low] == [("p3", 2.1), ("p1", 25.0)]
        assert [h.paper_id for h in store.metric_values(mq(["speedup", "throughput"], unit="x"))] == ["p3"]
        on = store.metric_values(mq(["throughput"], measured_on=hwm(hw_type="FPGA")))
        assert [h.paper_id for h in on] == ["p1"]  # p7's number is tied to no hardware
        within = store.metric_values(mq(["throughput"], pq([NodeMatch(type=T, family=("pruning",))])))
        assert [h.paper_id for h in within] == ["p7"]
        assert store.metric_values(mq(["energy"])) == []
        any_kind = store.metric_values(mq([], unit="x"))  # no kinds: every kind, the unit picks the numbers
        assert [(h.paper_id, h.metric.kind) for h in any_kind] == [("p3", "speedup")]

    def test_papers_per_year(self, store: GraphStore) -> None:
        store.upsert(question_corpus())
        assert [(y.year, y.papers) for y in store.papers_per_year()] == [(2022, 1), (2023, 1), (2024, 4)]
        fpga = pq([hwm(hw_type="FPGA")])
        assert [(y.year, y.papers) for y in store.papers_per_year(fpga)] == [(2023, 1), (2024, 2)]
        assert store.papers_per_year(PaperQuery(authors=("Nobody",))) == []


def line(
    name: str, type_: HardwareType, vendor: str, lineage: list[str], level: HardwareLevel = HardwareLevel.MODEL
) -> HardwareMention:
    """A hardware mention as the extractor writes it: vendor, level and the families above it."""
    family = lineage[0] if lineage else None
    return HardwareMention(
        name=name, type=type_, vendor=vendor, family=family, level=level, lineage=lineage, surface=name, sentence=name
    )


def model(name: str, lineage: list[str]) -> SystemMention:
    return SystemMention(name=name, family=lineage[0] if lineage else None, lineage=lineage, surface=name)


JETSON, ORIN_LINE = "NVIDIA Jetson", "NVIDIA Jetson Orin"
EDGE, GPU = HardwareType.EDGE_BOARD, HardwareType.GPU


def family_corpus() -> list[ExtractedPaper]:
    """Models, a family named on its own, a second vendor, and a model family of systems."""
    return [
        doc("q1", "Orin NX", hardware=[line("NVIDIA Jetson Orin NX", EDGE, "NVIDIA", [ORIN_LINE, JETSON])],
            systems=[model("Llama-2-7B", ["Llama 2", "Llama"])]),
        doc("q2", "Orin", hardware=[line(ORIN_LINE, EDGE, "NVIDIA", [JETSON], HardwareLevel.FAMILY)],
            systems=[model("Llama 3", ["Llama"])]),
        doc("q3", "Nano", hardware=[line("NVIDIA Jetson Nano", EDGE, "NVIDIA", [JETSON])],
            systems=[model("PyTorch Geometric", [])]),
        doc("q4", "MI300X", hardware=[line("AMD Instinct MI300X", GPU, "AMD", ["AMD Instinct"])]),
        doc("q5", "A100", hardware=[line("NVIDIA A100", GPU, "NVIDIA", ["NVIDIA Ampere"])],
            systems=[model("PyTorch", [])]),
    ]  # fmt: skip


class TestHierarchyContract:
    """Hardware and systems link to their families with IN_FAMILY; a family's name finds every member."""

    def test_family_nodes_and_edges(self, store: GraphStore) -> None:
        store.upsert(family_corpus())
        assert store.stats().relationships["IN_FAMILY"] == 8  # NX->Orin->Jetson, Nano->Jetson, 2 GPUs, 3 Llamas
        sub = store.neighbours("hardware:nvidia-jetson-orin-nx", depth=1)
        assert sub is not None
        assert [(e.source, e.target, e.type) for e in sub.edges if e.type == "IN_FAMILY"] == [
            ("hardware:nvidia-jetson-orin-nx", "hardware:nvidia-jetson-orin", "IN_FAMILY")
        ]
        orin = next(n for n in sub.nodes if n.id == "hardware:nvidia-jetson-orin")
        assert orin.properties == {
            "id": "hardware:nvidia-jetson-orin",
            "name": "NVIDIA Jetson Orin",
            "type": "edge-board",
            "vendor": "NVIDIA",
            "family": "NVIDIA Jetson",
            "level": "family",
        }
        llama2 = store.entity(S, "Llama 2")
        assert llama2 is not None and llama2.entity.properties == {"family": "Llama"}

    def test_a_family_name_finds_every_member(self, store: GraphStore) -> None:
        store.upsert(family_corpus())
        assert store.papers_for({H: ["NVIDIA Jetson Orin"]}) == {"q1", "q2"}
        assert store.papers_for({H: ["Jetson Orin"]}) == {"q1", "q2"}  # without the vendor
        assert store.papers_for({H: ["NVIDIA Jetson"]}) == {"q1", "q2", "q3"}
        assert store.papers_for({H: ["NVIDIA Jetson Orin NX"]}) == {"q1"}  # a model, not its siblings
        assert store.papers_for({H: ["AMD GPU"]}) == {"q4"}  # vendor and type
        assert store.papers_for({H: ["GPU"]}) == {"q4", "q5"}
        assert store.papers_for({S: ["Llama"]}) == {"q1", "q2"}
        assert store.papers_for({S: ["llama 2"]}) == {"q1"}
        assert store.papers_for({S: ["PyTorch"]}) == {"q5"}  # PyTorch Geometric is its own system
        jetson = store.entity(H, "NVIDIA Jetson")
        assert jetson is not None and jetson.entity.papers == 3
        assert [p.id for p in jetson.papers] == ["q3", "q2", "q1"]

    def test_families_go_with_their_last_member(self, store: GraphStore) -> None:
        store.upsert(family_corpus())
        store.delete_papers(["q1"])
        assert store.entity(H, "NVIDIA Jetson Orin NX") is None
        assert store.entity(H, ORIN_LINE) is not None  # q2 names it
        assert store.entity(S, "Llama 2") is None and store.entity(S, "Llama") is not None  # Llama 3 is left
        store.delete_papers(["q2"])
        assert store.entity(H, ORIN_LINE) is None
        assert store.entity(H, JETSON) is not None  # the Nano is left
        assert store.entity(S, "Llama") is None
        store.delete_papers(["q3"])
        assert store.entity(H, JETSON) is None
        assert store.stats().relationships["IN_FAMILY"] == 2  # MI300X and A100 to their families


def random_corpus(rng: random.Random, n: int) -> list[ExtractedPaper]:
    """Papers with entities drawn from small pools, so they overlap a lot (co-occurrence, ties, hubs)."""
    hardware = [("NVIDIA A100", HardwareType.GPU, "NVIDIA Ampere"), ("RTX 4090", HardwareType.GPU, None)]
    hardware += [(f"Board {i}", HardwareType.EDGE_BOARD, "Boards") for i in range(4)]
    hardware += [("FPGA", HardwareType.FPGA, None), ("Xeon", HardwareType.CPU, "Intel")]
    techniques = [("quantization", None), ("ternary quantization", "quantization"), ("pruning", None)]
    techniques += [(f"technique {i}", "family t") for i in range(4)]
    kinds = list(MetricKind)[:5]
    docs = []
    for i in range(n):
        hws = rng.sample(hardware, rng.randint(0, 3))
        techs = rng.sample(techniques, rng.randint(0, 3))
        systems = rng.sample([f"sys-{k}" for k in range(5)], rng.randint(0, 2))
        metrics = [
            metric(
                f"m{j}",
                rng.randint(1, 90) / 3,
                "ms",
                rng.choice(kinds),
                hardware=rng.choice(hws)[0] if hws and j else None,
            )
            for j in range(rng.randint(0, 3))
        ]
        docs.append(
            doc(
                f"r{i}",
                rng.choice(["Edge", "edge", "Fast", "Quantized"]) + f" paper {i % 7}",
                year=rng.choice([None, 2023, 2024]),
                hardware=[hw(*h, start=rng.randint(0, 50), sentence=f"S{i}.") for h in hws],
                techniques=[tech(*t, start=rng.randint(0, 50)) for t in techs],
                systems=[
                    system(s, rng.choice(list(SystemRole)), start=rng.randint(0, 50), sentence=f"{s} {i}.")
                    for s in systems
                ],
                datasets=[dataset(f"data-{rng.randint(0, 3)}", start=rng.randint(0, 50))],
                metrics=metrics,
            )
        )
    return docs
