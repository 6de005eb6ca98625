"""Small fakes shared by the tests: a deterministic encoder, tiny papers, a built engine."""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from papergraph.config import Settings
from papergraph.embed import Vectors
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.index import LexicalIndex, VectorIndex
from papergraph.models import (
    DatasetMention,
    EntityCount,
    EntityType,
    ExtractedPaper,
    Extraction,
    HardwareMention,
    HardwareType,
    MetricKind,
    MetricMention,
    Paper,
    SystemMention,
    SystemRole,
    TechniqueMention,
)
from papergraph.query import Engine

DIM = 64
#: Flags for Debian's headless chromium, as the browser tests and scripts/bench_ui.py launch it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class HashEncoder:
    """Bag-of-words hashed into DIM dimensions: texts sharing words get close vectors, no model needed."""

    model_name = "test-hash"
    dim = DIM

    def __init__(self, settings: Settings | None = None) -> None:
        self.calls = 0

    @property
    def model_id(self) -> str:
        return "test-hash@64"

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> Vectors:
        self.calls += 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def encode_query(self, text: str) -> Vectors:
        return self.encode([text])[0]


def entity_count(type_: EntityType, name: str, papers: int = 1, **props: Any) -> EntityCount:
    """A graph entity as the store counts it (id ``type:slug``), for building a question vocabulary."""
    return EntityCount(
        type=type_, id=f"{type_.value}:{name.lower().replace(' ', '-')}", name=name, papers=papers, properties=props
    )


def paper(pid: str, title: str, abstract: str) -> Paper:
    return Paper(id=pid, title=title, abstract=abstract, sources=["test.jsonl"])


def extracted(
    pid: str, title: str, abstract: str, year: int | None = 2024, authors: tuple[str, ...] = (), **found: Any
) -> ExtractedPaper:
    """A paper with its extraction built by hand (``found``: the Extraction fields: hardware, metrics, ...)."""
    record = Paper(id=pid, title=title, abstract=abstract, year=year, authors=list(authors), sources=["t.jsonl"])
    return ExtractedPaper(paper=record, extraction=Extraction(paper_id=pid, **found))


def sample_docs() -> list[ExtractedPaper]:
    """Three hand-made papers with entities of every type."""
    a = paper(
        "p-fpga",
        "TeLLMe: ternary LLM decoding on edge FPGAs",
        "We present TeLLMe, a ternary LLM accelerator on an AMD KV260 FPGA. "
        "TeLLMe reaches 25 tokens/s decoding throughput under 5 W.",
    )
    b = paper(
        "p-jetson",
        "Split computing on Jetson boards",
        "We study split computing of MobileNetV2 on an NVIDIA Jetson Nano with ImageNet. Latency drops by 40%.",
    )
    c = paper(
        "p-gpu",
        "Serving LLMs with vLLM on A100 GPUs",
        "We benchmark vLLM with quantization on NVIDIA A100 GPUs and reach 2.1x higher throughput.",
    )
    s_a = "TeLLMe reaches 25 tokens/s decoding throughput under 5 W."
    return [
        ExtractedPaper(
            paper=a,
            extraction=Extraction(
                paper_id=a.id,
                hardware=[
                    HardwareMention(
                        name="AMD KV260",
                        type=HardwareType.FPGA,
                        family="AMD Kria",
                        surface="KV260 FPGA",
                        start=48,
                        end=58,
                        sentence=a.abstract.split(". ")[0],
                    )
                ],
                techniques=[TechniqueMention(name="ternary weights", surface="ternary", start=14, end=21)],
                systems=[SystemMention(name="TeLLMe", role=SystemRole.PROPOSED, surface="TeLLMe", start=11, end=17)],
                metrics=[
                    MetricMention(
                        metric="decoding throughput",
                        value=25,
                        unit="tokens/s",
                        kind=MetricKind.THROUGHPUT,
                        hardware="AMD KV260",
                        surface="25 tokens/s",
                        sentence=s_a,
                    )
                ],
            ),
        ),
        ExtractedPaper(
            paper=b,
            extraction=Extraction(
                paper_id=b.id,
                hardware=[
                    HardwareMention(
                        name="NVIDIA Jetson Nano",
                        type=HardwareType.EDGE_BOARD,
                        family="NVIDIA Jetson",
                        surface="NVIDIA Jetson Nano",
                    )
                ],
                techniques=[TechniqueMention(name="split computing", surface="split computing")],
                systems=[SystemMention(name="MobileNetV2", surface="MobileNetV2")],
                datasets=[DatasetMention(name="ImageNet", surface="ImageNet")],
                metrics=[MetricMention(metric="latency", value=40, unit="%", kind=MetricKind.LATENCY, surface="40%")],
            ),
        ),
        ExtractedPaper(
            paper=c,
            extraction=Extraction(
                paper_id=c.id,
                hardware=[HardwareMention(name="NVIDIA A100", type=HardwareType.GPU, surface="NVIDIA A100 GPUs")],
                techniques=[TechniqueMention(name="quantization", surface="quantization")],
                systems=[SystemMention(name="vLLM", surface="vLLM")],
                metrics=[
                    MetricMention(
                        metric="throughput",
                        value=2.1,
                        unit="x",
                        kind=MetricKind.SPEEDUP,
                        hardware="NVIDIA A100",
                        surface="2.1x",
                    )
                ],
            ),
        ),
    ]


def build_engine(docs: Sequence[ExtractedPaper] | None = None, settings: Settings | None = None) -> Engine:
    """An Engine over hand-made papers with the hash encoder and an in-memory graph."""
    docs = list(docs or sample_docs())
    encoder = HashEncoder()
    index = VectorIndex(DIM, encoder.model_id)
    papers = [d.paper for d in docs]
    index.upsert(papers, encoder.encode([p.text for p in papers]))
    store = NetworkxStore(None)
    store.upsert(docs)
    return Engine(
        settings or Settings(),
        encoder,
        index,
        LexicalIndex(papers),
        store,
        KeywordExtractor(),  # type: ignore[arg-type]
    )


class KeywordExtractor:
    """Question extraction without spaCy: a few names, enough for API tests."""

    NAMES = (
        ("fpga", "hardware", "FPGA", "FPGA"),
        ("gpu", "hardware", "GPU", "GPU"),
        ("jetson", "hardware", "NVIDIA Jetson", "edge-board"),
        ("tpu", "hardware", "TPU", "TPU"),
        ("tellme", "systems", "TeLLMe", None),
        ("vllm", "systems", "vLLM", None),
        ("quantization", "techniques", "quantization", None),
        ("imagenet", "datasets", "ImageNet", None),
    )

    def extract_text(self, text: str, paper_id: str = "query") -> Extraction:
        ex = Extraction(paper_id=paper_id)
        low = text.lower()
        for key, field, name, hw_type in self.NAMES:
            at = low.find(key)
            if at < 0:
                continue
            span = {"surface": text[at : at + len(key)], "start": at, "end": at + len(key)}
            if field == "hardware":
                ex.hardware.append(HardwareMention(name=name, type=HardwareType(hw_type), **span))
            elif field == "systems":
                ex.systems.append(SystemMention(name=name, **span))
            elif field == "techniques":
                ex.techniques.append(TechniqueMention(name=name, **span))
            else:
                ex.datasets.append(DatasetMention(name=name, **span))
        return ex


class PaperExtractor(KeywordExtractor):
    """Paper extraction without spaCy (the keyword names of KeywordExtractor, found in the abstract).

    A paper whose abstract holds ``EXPLODE`` fails, as a paper spaCy rejects would.
    """

    def extract(self, papers: Iterable[Paper]) -> Iterator[Extraction]:
        for p in papers:
            if "EXPLODE" in p.abstract:
                raise ValueError("[E088] Text of length 1000001 exceeds maximum of 1000000")
            yield self.extract_text(p.abstract, p.id)


def fake_settings(data_dir: Path, **more: object) -> Settings:
    """Settings for a data directory used with HashEncoder and PaperExtractor."""
    return Settings(data_dir=data_dir, **more)  # type: ignore[arg-type]


def load_engine(settings: Settings) -> Engine:
    """The Engine of the current generation with the fakes (no model, no spaCy)."""
    return Engine.load(settings, warm=False, encoder=HashEncoder(), extractor=KeywordExtractor())  # type: ignore[arg-type]


SEARCHES = ["FPGA accelerator", "Jetson split computing", "quantization GPU serving", "ImageNet", "decoding"]
QUESTIONS = ["Which papers use FPGAs?", "How many papers use quantization?", "Which papers run vLLM on GPUs?"]


def observable(settings: Settings) -> dict[str, object]:
    """Everything a user can observe of a data directory: stats, searches, answers, entity counts."""
    from papergraph.ingest import status

    engine = load_engine(settings)
    try:
        searches = [
            [(h.id, h.title, round(h.score, 5), h.entities) for h in engine.searcher.search(q, k=10).data]
            for q in SEARCHES
        ]
        asks = []
        for q in QUESTIONS:
            body = engine.asker.ask(q, k=20).model_dump(exclude={"took_ms"})
            asks.append(body)
        entities = [(e.type, e.name, e.papers) for e in engine.store.entities(limit=1000)]
        papers = {pid: p.model_dump() for pid, p in engine.index.papers.items()}
    finally:
        engine.close()
    return {
        "stats": status(settings).model_dump(),
        "search": searches,
        "ask": asks,
        "entities": entities,
        "papers": papers,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(engine: Engine) -> Iterator[str]:
    """A uvicorn server for ``engine`` on a free loopback port, in a thread; its base URL."""
    import uvicorn

    from papergraph.api.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(engine=engine), host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            import pytest

            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
