"""Scale benchmark: synthetic corpora and vectors at arXiv sizes, measured one stage at a time.

Each stage runs in its own process (peak RSS is the process's own), prints one JSON result and appends it to
``--results`` (JSON lines); ``table`` renders the results as the README's markdown table.

    python scripts/bench_scale.py corpus --papers 100000          # synthetic JSONL, streamed to disk
    python scripts/bench_scale.py vectors --n 2800000             # clustered float32 vectors (+ 1,000 queries)
    python scripts/bench_scale.py index --n 2800000 --kind ivf-pq # build, size, RSS, p50/p99, recall@10 vs exact
    python scripts/bench_scale.py extract --papers 100000 --limit 3000
    python scripts/bench_scale.py bm25 --papers 1000000           # bm25s build, save, memory-mapped load, queries
    python scripts/bench_scale.py graph --papers 100000           # networkx store: write, save; load, reads (child)
    python scripts/bench_scale.py ladybug --papers 100000         # the same graph in ladybug (pip install '.[scale]')
    python scripts/bench_scale.py papers --papers 100000          # the index's per-paper bookkeeping in memory
    python scripts/bench_scale.py table                           # markdown table of every result so far

Phase-2 hooks (they run today, on the ingest and server as they are): ``ingest`` (end-to-end records/s and
RSS of ``papergraph ingest``), ``api`` (``/search`` and ``/ask`` p50/p99 over a built data directory), and
``extrapolate`` (the full 2.8M-paper snapshot from the measured rates). Run the large points one at a time with
``nice -n 19``; on a shared machine times are distorted, sizes, memory and recall are not.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("PAPERGRAPH_BENCH_DIR", "/tmp/pg-scale"))
SNAPSHOT = 2_800_000  # abstracts in the arXiv metadata snapshot
DIM = 384
QUERIES = 1000  # vectors written after the indexed ones: unseen queries from the same distribution

log = logging.getLogger("bench_scale")


# --------------------------------------------------------------------------------------------------
# Measuring helpers
# --------------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    pick = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered), 3), "p99_ms": round(pick(0.99), 3)}


def latencies(call: Callable[[int], Any], count: int) -> dict[str, float]:
    """p50/p99 of ``call(i)`` for i in range(count), after one warm-up call."""
    call(0)
    times = []
    for i in range(count):
        started = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times)


def folder_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def label(n: int) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size and n % (size // 10) == 0:
            return f"{n / size:g}{unit}"
    return str(n)


def corpus_path(papers: int) -> Path:
    return WORK / f"corpus-{label(papers)}.jsonl"


def vectors_path(n: int) -> Path:
    return WORK / f"vectors-{label(n)}.f32"


def record(args: argparse.Namespace, result: dict[str, Any]) -> None:
    result = {"stage": args.stage, **result, "peak_rss_mb": round(peak_rss_mb(), 1), "load_avg": os.getloadavg()[0]}
    line = json.dumps(result)
    print(line, flush=True)
    with open(args.results, "a") as fh:
        fh.write(line + "\n")


# --------------------------------------------------------------------------------------------------
# Synthetic corpus: bundled sentences recombined, unique titles and ids, streamed to JSONL
# --------------------------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70 syllables: names unique per index
AUTHORS = [f"{f}. {s}" for f in "ABCDEHJKLMNPRSTWYZ" for s in ("Chen", "Garcia", "Kim", "Müller", "Singh", "Rossi")]


def bundled_text() -> tuple[list[str], list[str]]:
    """Sentences and title tails of the bundled corpus."""
    from papergraph.corpus import read_corpus

    papers, _ = read_corpus([ROOT / "data" / "corpus"])
    sentences = [s.strip() for p in papers for s in _SENTENCE.split(p.abstract) if len(s.strip()) > 30]
    tails = [p.title.split(":", 1)[-1].strip() for p in papers]
    return sentences, tails


def system_name(i: int) -> str:
    """A pronounceable name unique to ``i`` ("Bakuno"), so every title is distinct after normalisation."""
    parts = []
    i += len(_SYLLABLES)  # at least two syllables
    while i:
        i, r = divmod(i, len(_SYLLABLES))
        parts.append(_SYLLABLES[r])
    return "".join(parts).capitalize()


def synthetic_papers(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    sentences, tails = bundled_text()
    for i in range(n):
        yield {
            "id": f"synth.{i:07d}",
            "title": f"{system_name(i)}: {rng.choice(tails)}",
            "abstract": " ".join(rng.sample(sentences, rng.randint(5, 9))),
            "authors": rng.sample(AUTHORS, rng.randint(1, 5)),
            "year": rng.randint(2015, 2026),
            "categories": rng.sample(["cs.LG", "cs.DC", "cs.AR", "cs.CL", "cs.CV", "cs.PF"], 2),
        }


def read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as fh:
        for number, line in enumerate(fh):
            if limit is not None and number >= limit:
                return
            yield orjson.loads(line)


def stage_corpus(args: argparse.Namespace) -> dict[str, Any]:
    path = corpus_path(args.papers)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(path, "wb", buffering=1 << 20) as fh:
        for row in synthetic_papers(args.papers, args.seed):
            fh.write(orjson.dumps(row) + b"\n")
    return {
        "papers": args.papers,
        "path": str(path),
        "mb": folder_mb(path),
        "seconds": round(time.perf_counter() - started, 1),
    }


# --------------------------------------------------------------------------------------------------
# Synthetic vectors: hierarchical clusters in a power-law spectrum, randomly rotated, normalised
# --------------------------------------------------------------------------------------------------


class ClusteredVectors:
    """Topics -> subtopics -> papers, each level a Gaussian step in a space whose variance decays as k^-0.5.

    ``noise`` sets how hard the neighbours are to find. The default 1.75 gives random pairs a cosine of ~0.06 and
    a vector's nearest neighbour among 100k ~0.42 (its 10th ~0.36): harder than MiniLM abstracts, whose near
    neighbours are closer, so the tuned nprobe lands high and the latencies are on the safe side. At 100k vectors
    IVF-SQ8 needs nprobe 32 of 512 lists for recall@10 0.95 at noise 1.75, 2 at noise 1.5, 192 at noise 2.0.
    Chunks are generated from (seed, chunk number), so any chunk can be regenerated alone.
    """

    def __init__(
        self, dim: int = DIM, seed: int = 0, topics: int = 500, subtopics: int = 40, noise: float = 1.75
    ) -> None:
        rng = np.random.default_rng(seed)
        self.dim, self.seed, self.noise = dim, seed, noise
        self.scale = np.sqrt((np.arange(1, dim + 1) ** -0.5) / np.sum(np.arange(1, dim + 1) ** -0.5) * dim)
        self.rotation = np.linalg.qr(rng.normal(size=(dim, dim)))[0].astype(np.float32)
        mean = 0.5 * self._steps(rng, 1)
        topic = mean + self._steps(rng, topics)
        self.centres = (np.repeat(topic, subtopics, axis=0) + 0.6 * self._steps(rng, topics * subtopics)).astype(
            np.float32
        )

    def _steps(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(size=(n, self.dim)) * self.scale / np.sqrt(self.dim)

    def chunk(self, number: int, size: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, number])
        x = self.centres[rng.integers(0, len(self.centres), size)] + self.noise * self._steps(rng, size)
        x = (x.astype(np.float32) @ self.rotation.T).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x


def stage_vectors(args: argparse.Namespace) -> dict[str, Any]:
    path = vectors_path(args.n)
    path.parent.mkdir(parents=True, exist_ok=True)
    gen = ClusteredVectors(seed=args.seed, noise=args.noise)
    total, size, started = args.n + QUERIES, 100_000, time.perf_counter()
    with open(path, "wb") as fh:
        for number, lo in enumerate(range(0, total, size)):
            fh.write(gen.chunk(number, min(size, total - lo)).tobytes())
    sample = gen.chunk(10_000, 2000)
    pairs = np.sum(sample[:1000] * sample[1000:], axis=1)
    meta = {"n": args.n, "queries": QUERIES, "dim": DIM, "seed": args.seed, "noise": args.noise}
    meta["random_pair_cosine"] = round(float(pairs.mean()), 3)
    path.with_suffix(".json").write_text(json.dumps(meta))
    return {**meta, "path": str(path), "mb": folder_mb(path), "seconds": round(time.perf_counter() - started, 1)}


class FileSource:
    """The first ``n`` rows of a float32 file, read a chunk at a time (a VectorSource; nothing memory-mapped)."""

    def __init__(self, path: Path, n: int, dim: int = DIM, offset: int = 0) -> None:
        self.path, self.n, self.dim, self.offset = path, n, dim, offset
        self.row_bytes = dim * 4

    def __len__(self) -> int:
        return self.n

    def ids(self) -> np.ndarray:
        return np.arange(self.n, dtype=np.int64)

    def rows(self, positions: np.ndarray) -> np.ndarray:
        out = np.empty((len(positions), self.dim), dtype=np.float32)
        with open(self.path, "rb") as fh:
            for j, p in enumerate(positions.tolist()):
                fh.seek((self.offset + p) * self.row_bytes)
                out[j] = np.frombuffer(fh.read(self.row_bytes), dtype=np.float32)
        return out

    def chunks(self, size: int = 65_536) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        with open(self.path, "rb") as fh:
            fh.seek(self.offset * self.row_bytes)
            for lo in range(0, self.n, size):
                count = min(size, self.n - lo)
                x = np.fromfile(fh, dtype=np.float32, count=count * self.dim).reshape(count, self.dim)
                yield np.arange(lo, lo + count, dtype=np.int64), x


_LOAD_RSS = """
import json, sys
from pathlib import Path
from papergraph.index.ann import AnnConfig, read_parts
def rss():
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:')) / 1024
info, parts = json.loads(sys.argv[1]), {k: Path(v) for k, v in json.loads(sys.argv[2]).items()}
before = rss()
ann = read_parts(info, parts, 384, AnnConfig())
print(rss() - before)
"""


def loaded_rss_mb(info: dict[str, Any], parts: dict[str, Path]) -> float:
    """Resident memory a fresh process gains by loading the saved index (imports excluded)."""
    args = [json.dumps(info), json.dumps({k: str(v) for k, v in parts.items()})]
    done = subprocess.run([sys.executable, "-c", _LOAD_RSS, *args], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def stage_index(args: argparse.Namespace) -> dict[str, Any]:
    """Build one index kind over the first ``n`` vectors of the file; measure what a server would see."""
    import faiss

    from papergraph.index.ann import AnnConfig, AnnKind, IvfAnn, build_ann, exact_neighbours, read_parts, recall_at

    path = vectors_path(args.vectors or args.n)
    meta = json.loads(path.with_suffix(".json").read_text())
    source = FileSource(path, args.n)
    queries = FileSource(path, args.queries, offset=meta["n"]).rows(np.arange(args.queries))
    config = AnnConfig(
        kind=AnnKind(args.kind),
        nlist=args.nlist,
        nprobe=args.nprobe,
        pq_m=args.pq_m,
        refine_factor=args.refine_factor,
        tune_queries=args.tune_queries,
    )
    started = time.perf_counter()
    ann = build_ann(config.kind, DIM, config, source)
    build_s = time.perf_counter() - started
    rss_built = rss_mb()
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        parts = {name: Path(tmp) / f"{name}.index" for name in ann.parts()}
        for name, index in ann.parts().items():
            faiss.write_index(index, str(parts[name]))
        disk = sum(p.stat().st_size for p in parts.values())
        info = ann.meta()
        del ann
        gc.collect()
        rss_loaded = loaded_rss_mb(info, parts)
        started = time.perf_counter()
        ann = read_parts(info, parts, DIM, config)
        load_s = time.perf_counter() - started
    truth = exact_neighbours(queries, source, 10)
    _, found = ann.search(queries, 10)
    recall = recall_at(found, truth, np.full(len(queries), -2))
    result = {
        "n": args.n,
        "kind": args.kind,
        "noise": meta.get("noise"),
        "ann": info,
        "build_s": round(build_s, 1),
        "load_s": round(load_s, 2),
        "disk_mb": round(disk / 2**20, 1),
        "bytes_per_vector": round(disk / args.n, 1),
        "rss_index_mb": round(rss_loaded, 1),
        "rss_after_build_mb": round(rss_built, 1),
        "recall_at_10_unseen": round(recall, 4),
        "search_k10": latencies(lambda i: ann.search(queries[i % len(queries)], 10), args.samples),
        "search_k50": latencies(lambda i: ann.search(queries[i % len(queries)], 50), args.samples),
    }
    rng = np.random.default_rng(1)
    for share in (0.001, 0.01, 0.1):
        allowed = np.sort(rng.choice(args.n, size=max(1, int(share * args.n)), replace=False)).astype(np.int64)
        result[f"filtered_{share:g}"] = latencies(
            lambda i, allowed=allowed: ann.search(queries[i % len(queries)], 50, allowed), 50
        )
    if isinstance(ann, IvfAnn):
        result["nprobe"] = ann.nprobe
    return result


# --------------------------------------------------------------------------------------------------
# Extraction, BM25, graph
# --------------------------------------------------------------------------------------------------


def papers_from(path: Path, limit: int | None = None) -> Iterator[Any]:
    from papergraph.models import Paper

    for row in read_jsonl(path, limit):
        yield Paper(id=row["id"], title=row["title"], abstract=row["abstract"], sources=[path.name])


def stage_extract(args: argparse.Namespace) -> dict[str, Any]:
    from papergraph.extract import Extractor

    papers = list(papers_from(corpus_path(args.papers), args.limit))
    started = time.perf_counter()
    extractor = Extractor()
    list(extractor.extract(papers[:50]))  # warm-up
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    mentions = sum(
        len(e.hardware) + len(e.techniques) + len(e.systems) + len(e.datasets) for e in extractor.extract(papers)
    )
    seconds = time.perf_counter() - started
    return {
        "papers": len(papers),
        "load_s": round(load_s, 1),
        "seconds": round(seconds, 1),
        "papers_per_s": round(len(papers) / seconds, 1),
        "mentions_per_paper": round(mentions / len(papers), 1),
    }


def stage_bm25(args: argparse.Namespace) -> dict[str, Any]:
    """bm25s as LexicalIndex configures it (stopwords, Snowball + acronym plurals), built, saved, memory-mapped."""
    import bm25s
    from bm25s.tokenization import Tokenizer

    from papergraph.index.lexical import _Stemmer

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    path = corpus_path(args.papers)
    stemmer = _Stemmer()
    tokenizer = Tokenizer(stopwords="en", stemmer=lambda word: stemmer.stemWords([word])[0])  # stems are cached
    started = time.perf_counter()
    ids: list[list[int]] = []
    batch: list[str] = []
    for row in read_jsonl(path):
        batch.append(f"{row['title']}\n\n{row['abstract']}")
        if len(batch) == 20_000:
            ids.extend(tokenizer.tokenize(batch, update_vocab=True, show_progress=False, return_as="ids"))
            batch.clear()
    if batch:
        ids.extend(tokenizer.tokenize(batch, update_vocab=True, show_progress=False, return_as="ids"))
    tokenize_s = time.perf_counter() - started
    vocab = tokenizer.get_vocab_dict()
    bm25 = bm25s.BM25()
    bm25.index((ids, vocab), show_progress=False)
    build_s = time.perf_counter() - started
    rss_built = rss_mb()
    del ids
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        bm25.save(tmp)
        disk = folder_mb(Path(tmp))
        del bm25
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        loaded = bm25s.BM25.load(tmp, mmap=True)
        load_s = time.perf_counter() - started
        words = [w for w in ("quantization", "fpga", "latency", "jetson", "speculative", "decoding", "edge", "memory")]
        stems = tokenizer.tokenize(words, update_vocab=False, show_progress=False, return_as="string")
        terms = [t[0] for t in stems if t]
        rng = random.Random(0)

        def query(_: int) -> None:
            scores = loaded.get_scores(rng.sample(terms, 2))
            top = np.argpartition(-scores, 49)[:50]
            top[np.argsort(-scores[top])]

        result = {
            "papers": args.papers,
            "tokenize_s": round(tokenize_s, 1),
            "build_s": round(build_s, 1),
            "rss_after_build_mb": round(rss_built, 1),
            "disk_mb": disk,
            "mmap_load_s": round(load_s, 2),
            "query_2_terms_top50": latencies(query, args.samples),
        }
        result["rss_mmap_after_queries_mb"] = round(rss_mb() - before, 1)
    return result


def read_in_child(stage: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run a read stage of this script in a fresh process (its memory is its own); its figures, less the shared keys."""
    cmd = [sys.executable, __file__, stage, "--papers", str(args.papers), "--samples", str(args.samples)]
    done = subprocess.run([*cmd, "--results", os.devnull], capture_output=True, text=True, check=True)
    read = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: v for k, v in read.items() if k not in ("stage", "papers", "load_avg")}


def stage_graph(args: argparse.Namespace) -> dict[str, Any]:
    """The embedded networkx store at ``papers``: write and save here, then load and read in a fresh process."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_graph import Vocabulary, synthetic_batches
    from papergraph.graph.networkx_store import NetworkxStore

    folder = WORK / f"graph-{label(args.papers)}"
    store = NetworkxStore(folder)
    started = time.perf_counter()
    links = 0
    for rows in synthetic_batches(args.papers, random.Random(args.seed), Vocabulary(random.Random(args.seed))):
        store.write_rows(rows)
        links += len(rows.links)
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    store.commit()
    save_s = time.perf_counter() - started
    read = read_in_child("graph-read", args)
    return {
        "papers": args.papers,
        "relationships": links,
        "write_s": round(write_s, 1),
        "save_s": round(save_s, 1),
        "file_mb": folder_mb(folder / "graph.json"),
        "writer_rss_mb": round(rss_mb(), 1),
        **read,
    }


def stage_graph_read(args: argparse.Namespace) -> dict[str, Any]:
    """Load the graph ``graph`` saved (as ``serve`` does, read indexes warmed) and time the service's reads."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_graph import latencies as read_latencies
    from bench_graph import read_ops
    from papergraph.graph.networkx_store import NetworkxStore

    before = rss_mb()
    started = time.perf_counter()
    store = NetworkxStore(WORK / f"graph-{label(args.papers)}")
    store.stats()  # builds the read indexes, as serve warms them
    load_s = time.perf_counter() - started
    loaded = rss_mb() - before
    reads = read_latencies(read_ops(store, random.Random(args.seed), args.samples), args.samples)
    return {
        "papers": args.papers,
        "load_s": round(load_s, 1),
        "loaded_rss_mb": round(loaded, 1),
        "reads_ms": {name: {"p50": round(p50, 2), "p95": round(p95, 2)} for name, (p50, p95) in reads.items()},
    }


# ladybug reserves address space for its largest database (8 TB by default): bounded, it runs under `ulimit -v`
LADYBUG_LIMITS = {"buffer_pool_size": 3 << 30, "max_db_size": 4 << 30}
LADYBUG_SCHEMA = [
    "CREATE NODE TABLE Paper(id STRING PRIMARY KEY, title STRING, abstract STRING, year INT64)",
    "CREATE NODE TABLE Hardware(id STRING PRIMARY KEY, name STRING, type STRING, family STRING)",
    "CREATE NODE TABLE Technique(id STRING PRIMARY KEY, name STRING, family STRING)",
    "CREATE NODE TABLE System(id STRING PRIMARY KEY, name STRING)",
    "CREATE NODE TABLE Dataset(id STRING PRIMARY KEY, name STRING)",
    "CREATE NODE TABLE Metric(id STRING PRIMARY KEY, kind STRING, metric STRING, value DOUBLE, unit STRING)",
    "CREATE REL TABLE MENTIONS(FROM Paper TO Hardware, FROM Paper TO Technique, FROM Paper TO System, "
    "FROM Paper TO Dataset, evidence STRING, surface STRING)",
    "CREATE REL TABLE REPORTS(FROM Paper TO Metric, evidence STRING)",
    "CREATE REL TABLE MEASURED_ON(FROM Metric TO Hardware)",
]
_LADYBUG_COLUMNS = {
    "Paper": ["id", "title", "abstract", "year"],
    "Hardware": ["id", "name", "type", "family"],
    "Technique": ["id", "name", "family"],
    "System": ["id", "name"],
    "Dataset": ["id", "name"],
    "Metric": ["id", "kind", "metric", "value", "unit"],
}


def stage_ladybug(args: argparse.Namespace) -> dict[str, Any]:
    """The same synthetic graph as ``graph``, bulk-loaded into ladybug (embedded, on disk) with COPY FROM CSV."""
    import csv

    import ladybug

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_graph import Vocabulary, synthetic_batches

    folder = WORK / f"ladybug-{label(args.papers)}"
    csvs = WORK / f"ladybug-csv-{label(args.papers)}"
    for path in (folder, csvs):
        subprocess.run(["rm", "-rf", str(path)], check=True)
    csvs.mkdir(parents=True)
    started = time.perf_counter()
    files: dict[str, Any] = {}
    writers: dict[str, Any] = {}

    def writer(name: str, header: list[str]) -> Any:
        if name not in writers:
            files[name] = open(csvs / f"{name}.csv", "w", newline="")  # noqa: SIM115 - closed below
            writers[name] = csv.writer(files[name])
            writers[name].writerow(header)
        return writers[name]

    seen: set[str] = set()
    links = 0
    for rows in synthetic_batches(args.papers, random.Random(args.seed), Vocabulary(random.Random(args.seed))):
        for paper in rows.papers:
            writer("Paper", _LADYBUG_COLUMNS["Paper"]).writerow([paper.get(c) for c in _LADYBUG_COLUMNS["Paper"]])
        for label_, entities in rows.entities.items():
            for nid, props in entities.items():
                if nid not in seen:
                    seen.add(nid)
                    writer(label_, _LADYBUG_COLUMNS[label_]).writerow([props.get(c) for c in _LADYBUG_COLUMNS[label_]])
        for metric in rows.metrics:
            writer("Metric", _LADYBUG_COLUMNS["Metric"]).writerow([metric.get(c) for c in _LADYBUG_COLUMNS["Metric"]])
        for link in rows.links:
            links += 1
            if link.type == "MENTIONS":
                props = [link.properties.get("evidence"), link.properties.get("surface")]
                writer(f"MENTIONS_Paper_{link.target_label}", ["from", "to", "evidence", "surface"]).writerow(
                    [link.source, link.target, *props]
                )
            elif link.type == "REPORTS":
                row = [link.source, link.target, link.properties.get("evidence")]
                writer("REPORTS", ["from", "to", "evidence"]).writerow(row)
            else:
                writer("MEASURED_ON", ["from", "to"]).writerow([link.source, link.target])
    for fh in files.values():
        fh.close()
    csv_s = time.perf_counter() - started
    folder.mkdir(parents=True)
    db = ladybug.Database(str(folder / "db"), **LADYBUG_LIMITS)
    conn = ladybug.Connection(db)
    for statement in LADYBUG_SCHEMA:
        conn.execute(statement)
    started = time.perf_counter()
    for table in [
        "Paper",
        "Hardware",
        "Technique",
        "System",
        "Dataset",
        "Metric",
        *sorted(set(files) - set(_LADYBUG_COLUMNS)),
    ]:
        if table in files:
            conn.execute(f"COPY {table} FROM '{csvs / (table + '.csv')}' (header=true)")
    copy_s = time.perf_counter() - started
    conn.close()
    db.close()
    read = read_in_child("ladybug-read", args)
    return {
        "papers": args.papers,
        "relationships": links,
        "csv_s": round(csv_s, 1),
        "copy_s": round(copy_s, 1),
        "db_mb": folder_mb(folder),
        "csv_mb": folder_mb(csvs),
        "writer_rss_mb": round(rss_mb(), 1),
        **read,
    }


def stage_ladybug_read(args: argparse.Namespace) -> dict[str, Any]:
    """Open the ladybug database of ``ladybug`` in a fresh process; time reads like the networkx store's."""
    import ladybug

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_graph import Vocabulary

    before = rss_mb()
    started = time.perf_counter()
    db = ladybug.Database(str(WORK / f"ladybug-{label(args.papers)}" / "db"), read_only=True, **LADYBUG_LIMITS)
    conn = ladybug.Connection(db)
    open_s = time.perf_counter() - started
    vocab = Vocabulary(random.Random(args.seed))
    rng = random.Random(args.seed)
    names = {label_: [p["name"] for p in rows] for label_, rows in vocab.props.items()}
    ids = [f"2{i // 100000:03d}.{i % 100000:05d}" for i in range(0, args.papers, max(1, args.papers // 1000))]

    def run(query: str, **params: Any) -> list[Any]:
        return list(conn.execute(query, params).get_all())

    def papers_for() -> Any:
        if rng.random() < 0.5:
            q = "MATCH (p:Paper)-[:MENTIONS]->(h:Hardware) WHERE h.name = $h RETURN p.id"
            return run(q, h=rng.choice(names["Hardware"]))
        q = (
            "MATCH (t:Technique)<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(h:Hardware) "
            "WHERE h.name = $h AND (t.name = $t OR t.family = $t) RETURN DISTINCT p.id"
        )
        return run(q, h=rng.choice(names["Hardware"]), t=rng.choice(names["Technique"]))

    def entity() -> Any:
        name = rng.choice(names["Technique"])
        first = run(
            "MATCH (e:Technique {name: $n})<-[m:MENTIONS]-(p:Paper) RETURN p.id, p.title, m.evidence "
            "ORDER BY p.title LIMIT 50",
            n=name,
        )
        co = run(
            "MATCH (e:Technique {name: $n})<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(o) "
            "RETURN label(o), o.name, count(*) AS c ORDER BY c DESC LIMIT 50",
            n=name,
        )
        return first, co

    ops: dict[str, Callable[[], Any]] = {
        "papers_for": papers_for,
        "paper": lambda: run("MATCH (p:Paper {id: $id})-[m]->(e) RETURN p.title, label(e), e.id", id=rng.choice(ids)),
        "entity": entity,
        "neighbours d1": lambda: run("MATCH (p:Paper {id: $id})-[r]-(o) RETURN o.id LIMIT 100", id=rng.choice(ids)),
    }
    reads = {name: latencies(lambda _i, op=op: op(), args.samples) for name, op in ops.items()}
    return {
        "papers": args.papers,
        "open_s": round(open_s, 2),
        "opened_rss_mb": round(rss_mb() - before, 1),
        "reads_ms": {name: {"p50": r["p50_ms"], "p99": r["p99_ms"]} for name, r in reads.items()},
    }


def stage_papers(args: argparse.Namespace) -> dict[str, Any]:
    """What the vector index keeps per paper besides its vector (Paper models, id maps), and its save and load."""
    from papergraph.index import VectorIndex

    gc.collect()
    before = rss_mb()
    papers = list(papers_from(corpus_path(args.papers)))
    vectors = np.zeros((len(papers), 8), dtype=np.float32)  # tiny vectors: measure the bookkeeping alone
    vectors[:, 0] = 1.0
    index = VectorIndex(8, "bench@8", ann_threshold=len(papers) + 1)
    started = time.perf_counter()
    index.upsert(papers, vectors)
    upsert_s = time.perf_counter() - started
    held = rss_mb() - before
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        started = time.perf_counter()
        index.save(Path(tmp))
        save_s = time.perf_counter() - started
        disk = folder_mb(Path(tmp))
        started = time.perf_counter()
        VectorIndex.load(Path(tmp))
        load_s = time.perf_counter() - started
    return {
        "papers": len(papers),
        "upsert_s": round(upsert_s, 1),
        "rss_mb": round(held, 1),
        "bytes_per_paper": round(held * 2**20 / len(papers)),
        "save_s": round(save_s, 1),
        "load_s": round(load_s, 1),
        "disk_mb": disk,
    }


# --------------------------------------------------------------------------------------------------
# Phase-2 hooks: end to end through the CLI and the server
# --------------------------------------------------------------------------------------------------


class NullGraph:
    """A graph store that keeps nothing: measures the ingest pipeline without the embedded graph's own memory."""

    def upsert(self, papers: Any) -> Any:
        from papergraph.models import WriteStats

        return WriteStats(papers=len(papers))

    def delete_papers(self, paper_ids: Any) -> int:
        return 0

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass

    def paper_hashes(self) -> dict[str, str]:
        return {}

    def stats(self) -> Any:
        from papergraph.models import GraphStats

        return GraphStats()


class SyntheticEncoder:
    """Vectors from hashed words (384-d, normalised), under the real model's identity so ``serve`` can query them.

    For measuring what is not the model: the pipeline's own rate and memory, and a large index to serve from.
    """

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def encode(self, texts: Any, batch_size: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            words = text.lower().split()
            out[row, [hash(w) % DIM for w in words]] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out


class StubExtractor:
    """No entities: the ingest pipeline without spaCy."""

    def extract(self, papers: Any) -> Iterator[Any]:
        from papergraph.models import Extraction

        for paper in papers:
            yield Extraction(paper_id=paper.id)


class RssProgress:
    """Ingest progress that samples this process's resident memory at every step, per stage."""

    def __init__(self) -> None:
        self.stage = ""
        self.peak: dict[str, float] = {}
        self.samples: list[tuple[int, float]] = []  # (papers done, RSS MB) during the ingest stage
        self.done = 0
        self.total: int | None = None
        self.first: float | None = None
        self.last = 0.0

    def start(self, stage: str, total: int | None) -> None:
        self.stage, self.total, self.done = stage, total, 0
        self._sample()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.stage == "ingest" and n:
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
            self.samples.append((self.done, rss_mb()))
        self._sample()

    def finish(self) -> None:
        self._sample()

    def _sample(self) -> None:
        self.peak[self.stage] = max(self.peak.get(self.stage, 0.0), rss_mb())

    def quartiles(self) -> dict[str, float]:
        if not self.samples:
            return {}
        total = self.samples[-1][0]
        out = {}
        for q in (0.25, 0.5, 0.75, 1.0):
            rss = next(r for d, r in self.samples if d >= q * total)
            out[f"{int(q * 100)}%"] = round(rss, 1)
        return out


def ingest_corpus(args: argparse.Namespace) -> Path:
    """The first ``--limit`` papers of the ``--papers`` corpus (the whole corpus without a limit)."""
    source = corpus_path(args.papers)
    if not args.limit or args.limit >= args.papers:
        return source
    corpus = WORK / f"corpus-{label(args.papers)}-first-{label(args.limit)}.jsonl"
    if not corpus.exists():
        with open(corpus, "wb") as fh:
            for row in read_jsonl(source, args.limit):
                fh.write(orjson.dumps(row) + b"\n")
    return corpus


def data_dir_for(papers: int, models: str) -> Path:
    return WORK / (f"data-{label(papers)}" if models != "stub" else f"data-{label(papers)}-stub")


def stage_ingest(args: argparse.Namespace) -> dict[str, Any]:
    """End-to-end ingest of the first ``--limit`` synthetic papers, in a child process (its RSS is its own).

    ``--models real`` (spaCy and the encoder; ``--backend``/``--max-seq`` pick the encoder), ``synthetic`` (real
    extraction, hashed-word vectors under the real model's identity: builds a large data directory to serve) or
    ``stub`` (no model at all: the pipeline's own rate and memory). ``--graph none`` leaves the embedded graph out.
    """
    size = args.limit or args.papers
    data_dir = data_dir_for(size, args.models)
    subprocess.run(["rm", "-rf", str(data_dir)], check=True)
    (WORK / "onnx-cache").mkdir(parents=True, exist_ok=True)  # the ONNX export is made once, not timed per run
    (data_dir / "cache").mkdir(parents=True)
    (data_dir / "cache" / "onnx").symlink_to(WORK / "onnx-cache")
    load_before = os.getloadavg()
    cmd = [sys.executable, __file__, "ingest-child", "--results", os.devnull]
    for flag in ("papers", "limit", "models", "graph", "backend", "max_seq", "workers", "engine"):
        value = getattr(args, flag)
        if value is not None:
            cmd += [f"--{flag.replace('_', '-')}", str(value)]
    if args.no_overlap:
        cmd.append("--no-overlap")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    child = json.loads(done.stdout.strip().splitlines()[-1])
    child.pop("stage", None)
    child["child_peak_rss_mb"] = child.pop("peak_rss_mb")
    child["load_avg_before_after"] = [round(load_before[0], 1), round(os.getloadavg()[0], 1)]
    return child


def stage_ingest_child(args: argparse.Namespace) -> dict[str, Any]:
    from papergraph.config import Settings
    from papergraph.embed import Encoder
    from papergraph.ingest import ingest

    size = args.limit or args.papers
    corpus = ingest_corpus(args)
    overrides: dict[str, Any] = {"ingest_overlap": not args.no_overlap}
    if args.backend:
        overrides["encoder_backend"] = args.backend
    if args.max_seq:
        overrides["max_seq_length"] = args.max_seq
    if args.workers is not None:
        overrides["ingest_workers"] = args.workers
    settings = Settings(data_dir=data_dir_for(size, args.models), **overrides)
    encoder = SyntheticEncoder(Encoder(settings).model_id) if args.models != "real" else None
    extractor = StubExtractor() if args.models == "stub" else None
    store = NullGraph() if args.graph == "none" else None
    progress = RssProgress()
    before = rss_mb()
    started = time.perf_counter()
    report = ingest(
        [corpus],
        settings,
        progress=progress,  # type: ignore[arg-type]
        encoder=encoder,  # type: ignore[arg-type]
        extractor=extractor,
        store=store,  # type: ignore[arg-type]
        engine=args.engine,
    )
    wall = time.perf_counter() - started
    steady = (
        (progress.samples[-1][0] - progress.samples[0][0]) / (progress.last - progress.first)
        if (progress.first and progress.last > progress.first)
        else 0.0
    )
    return {
        "papers": report.papers,
        "models": args.models,
        "graph": args.graph,
        "engine": report.engine,
        "backend": settings.encoder_backend,
        "max_seq_length": settings.max_seq_length,
        "overlap": settings.ingest_overlap,
        "workers": settings.ingest_workers,
        "wall_s": round(wall, 1),
        "records_per_s": round(report.papers / wall, 1),
        "steady_per_s": round(steady, 1),
        "seconds": report.seconds,
        "rss_mb": {
            "start": round(before, 1),
            "read_peak": round(progress.peak.get("read", 0.0), 1),
            "ingest_peak": round(progress.peak.get("ingest", 0.0), 1),
            "during_ingest": progress.quartiles(),
        },
        "data_mb": folder_mb(settings.data_dir),
    }


def stage_read(args: argparse.Namespace) -> dict[str, Any]:
    """Both passes of the streaming reader over a synthetic corpus: records/s and resident memory."""
    from papergraph.corpus import scan, stream

    path = corpus_path(args.papers)
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    ledger, report = scan([path])
    scan_s = time.perf_counter() - started
    after_scan = rss_mb()
    peak_stream = after_scan
    started = time.perf_counter()
    count = 0
    for count, _ in enumerate(stream(ledger), start=1):
        if count % 5000 == 0:
            peak_stream = max(peak_stream, rss_mb())
    stream_s = time.perf_counter() - started
    return {
        "papers": count,
        "records": report.records,
        "scan_per_s": round(report.records / scan_s, 1),
        "stream_per_s": round(count / stream_s, 1),
        "rss_before_mb": round(before, 1),
        "ledger_mb": round(after_scan - before, 1),
        "ledger_bytes_per_paper": round((after_scan - before) * 2**20 / max(1, len(ledger))),
        "rss_peak_streaming_mb": round(peak_stream, 1),
    }


def stage_api(args: argparse.Namespace) -> dict[str, Any]:
    """``/search`` and ``/ask`` p50/p99 against ``papergraph serve`` over the data directory of ``ingest``."""
    import httpx

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_api import QUESTIONS, free_port
    from bench_api import rss_mb as server_rss

    data_dir = data_dir_for(args.limit or args.papers, args.models)
    port = free_port()
    cmd = [sys.executable, "-m", "papergraph.cli", "--data-dir", str(data_dir), "serve", "--port", str(port)]
    env = dict(os.environ)
    if args.backend:
        env["PAPERGRAPH_ENCODER_BACKEND"] = args.backend
    if args.max_seq:
        env["PAPERGRAPH_MAX_SEQ_LENGTH"] = str(args.max_seq)
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            try:
                httpx.get(f"{url}/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.perf_counter() - started > 600 or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.5)
        start_s = time.perf_counter() - started
        titles = [row["title"] for row in read_jsonl(corpus_path(args.papers), args.limit or args.papers)]
        titles = random.Random(args.seed).sample(titles, min(len(titles), args.samples))
        with httpx.Client(base_url=url, timeout=60) as client:
            search = latencies(
                lambda i: client.get("/search", params={"q": titles[i % len(titles)]}).raise_for_status(), args.samples
            )
            ask = latencies(
                lambda i: client.post(
                    "/ask", json={"question": f"{QUESTIONS[i % len(QUESTIONS)]} ({i})"}
                ).raise_for_status(),
                args.samples,
            )
        return {
            "papers": args.papers,
            "start_s": round(start_s, 1),
            "search": search,
            "ask": ask,
            "server_rss_mb": round(server_rss(server.pid), 1),
        }
    finally:
        server.terminate()
        server.wait(30)


GPU_EMBED_ESTIMATE = 5000.0
"""Abstracts/s one data-centre GPU embeds with all-MiniLM-L6-v2 at 256 tokens (fp16): an ESTIMATE, not measured here
(no GPU was lent). Basis: ~11 GFLOP per 256-token abstract (see the performance notes) is 55 TFLOP/s at this rate,
a small fraction of an A100/H100's dense fp16 peak (312/990 TFLOP/s); batches of 256-token inputs keep the GPU busy.
"""
NODE_CORES = 16  # a GPU node of the kind this project is lent: 16 cores, one GPU


def _latest(results: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    found = [r for r in results if all(r.get(k) == v for k, v in match.items())]
    return max(found, key=lambda r: r.get("papers", 0)) if found else None


def extrapolate(results: list[dict[str, Any]], papers: int = SNAPSHOT) -> dict[str, Any]:
    """The full snapshot from the measured rates: hours on 2 cores, on one GPU node, on an N-node Ray cluster.

    Extraction and embedding scale out (actors); the driver's own work (reading, planning, caches, the vector index,
    the paper store, BM25, the commit) does not: its rate is measured by the ``stub`` ingest (no model at all) and
    caps any cluster. The GPU's embedding rate is an estimate (GPU_EMBED_ESTIMATE).
    """
    out: dict[str, Any] = {"papers": papers, "gpu_embed_per_s_ESTIMATE": GPU_EMBED_ESTIMATE}
    real = _latest(results, stage="ingest", models="real", backend="torch", max_seq_length=256, overlap=True)
    stub = _latest(results, stage="ingest", models="stub")
    if real is None:
        return out
    hours = lambda rate: round(papers / rate / 3600, 1)  # noqa: E731
    out["2_cores"] = {"per_s": real["records_per_s"], "hours": hours(real["records_per_s"])}
    seconds = real["seconds"]
    extract_per_core = real["papers"] / max(seconds.get("extract", 0.0), 1e-9)  # extraction runs on one core
    driver = stub["steady_per_s"] if stub else float("inf")
    out["driver_ceiling_per_s"] = driver
    node = min(GPU_EMBED_ESTIMATE, (NODE_CORES - 2) * extract_per_core, driver)
    out["gpu_node"] = {
        "per_s": round(node, 1),
        "hours": hours(node),
        "bound": "driver" if node == driver else "gpu" if node == GPU_EMBED_ESTIMATE else "extraction",
        "extract_per_core_per_s": round(extract_per_core, 1),
    }
    per_node = min(GPU_EMBED_ESTIMATE, (NODE_CORES - 1) * extract_per_core)
    out["ray_gpu_nodes"] = {
        n: {"per_s": round(min(n * per_node, driver), 1), "hours": hours(min(n * per_node, driver))} for n in (2, 4, 8)
    }
    out["ray_nodes_until_driver_bound"] = round(driver / per_node, 1) if driver != float("inf") else None
    cpu_node = real["records_per_s"]
    out["ray_2_core_cpu_nodes"] = {
        n: {"per_s": round(min(n * cpu_node, driver), 1), "hours": hours(min(n * cpu_node, driver))}
        for n in (4, 16, 64)
    }
    builds = [r for r in results if r["stage"] == "index" and r.get("n") == papers]
    if builds:
        out["index_build_minutes"] = round(min(r["build_s"] for r in builds) / 60, 1)
    return out


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def describe(r: dict[str, Any]) -> str:
    """One result as a table cell: the figures that matter for its stage."""
    stage = r["stage"]
    if stage == "index":
        ann = r["ann"]
        tuned = f"nprobe {ann.get('nprobe', '-')}/{ann.get('nlist', '-')}"
        if "refine_factor" in ann:
            tuned += f", refine x{ann['refine_factor']}"
        return (
            f"{r['kind']} ({tuned}): build {r['build_s']:.0f} s, {r['disk_mb']:.0f} MB on disk "
            f"({r['bytes_per_vector']:.0f} B/vector), {r['rss_index_mb']:.0f} MB loaded; recall@10 "
            f"{ann.get('recall_at_10', 1.0)} tuning / {r['recall_at_10_unseen']} unseen queries; search p50/p99 "
            f"{r['search_k10']['p50_ms']}/{r['search_k10']['p99_ms']} ms (k=50: {r['search_k50']['p50_ms']} ms); "
            f"filtered to 0.1% / 1% / 10%: {r['filtered_0.001']['p50_ms']} / {r['filtered_0.01']['p50_ms']} / "
            f"{r['filtered_0.1']['p50_ms']} ms"
        )
    if stage == "extract":
        return f"{r['papers_per_s']} papers/s over {r['papers']:,} papers, {r['mentions_per_paper']} mentions/paper"
    if stage == "bm25":
        q = r["query_2_terms_top50"]
        return (
            f"build {r['build_s']} s (tokenising {r['tokenize_s']} s), {r['rss_after_build_mb']:.0f} MB after build, "
            f"{r['disk_mb']:.0f} MB saved; memory-mapped load {r['mmap_load_s']} s, "
            f"{r['rss_mmap_after_queries_mb']:.0f} MB resident after queries; 2-term query top-50 p50/p99 "
            f"{q['p50_ms']}/{q['p99_ms']} ms"
        )
    if stage in ("graph", "ladybug"):
        reads = ", ".join(f"{name} {v['p50']}" for name, v in r["reads_ms"].items())
        if stage == "graph":
            head = (
                f"{r['relationships']:,} relationships: write {r['write_s']} s, save {r['save_s']} s "
                f"({r['file_mb']:.0f} MB JSON); load {r['load_s']} s, {r['loaded_rss_mb']:.0f} MB resident"
            )
        else:
            head = (
                f"{r['relationships']:,} relationships: CSV {r['csv_s']} s + COPY {r['copy_s']} s, "
                f"{r['db_mb']:.0f} MB on disk; open {r['open_s']} s, {r['opened_rss_mb']:.0f} MB resident"
            )
        return f"{head}; reads p50 ms: {reads}"
    if stage == "ingest":
        rss = r["rss_mb"]
        what = {"real": "spaCy + encoder", "synthetic": "spaCy + hashed vectors", "stub": "no model"}[r["models"]]
        config = f"{r['engine']}, {r['backend']}@{r['max_seq_length']}" + ("" if r["overlap"] else ", no overlap")
        if r.get("workers"):
            config += f", {r['workers']} extraction worker(s)"
        return (
            f"{what} ({config}; graph {r['graph']}): **{r['records_per_s']} papers/s** end to end "
            f"({r['steady_per_s']}/s once loaded), wall {r['wall_s']} s; RSS read {rss['read_peak']:.0f} MB, "
            f"ingest peak {rss['ingest_peak']:.0f} MB (at 25/50/75/100 %: "
            f"{' / '.join(f'{v:.0f}' for v in rss['during_ingest'].values())}); load {r['load_avg_before_after']}"
        )
    if stage == "read":
        return (
            f"scan {r['scan_per_s']}/s, stream {r['stream_per_s']}/s; ledger {r['ledger_mb']} MB "
            f"({r['ledger_bytes_per_paper']} B/paper); peak while streaming {r['rss_peak_streaming_mb']:.0f} MB"
        )
    if stage == "api":
        return (
            f"/search p50/p99 {r['search']['p50_ms']}/{r['search']['p99_ms']} ms, /ask {r['ask']['p50_ms']}/"
            f"{r['ask']['p99_ms']} ms; start {r['start_s']} s, server RSS {r['server_rss_mb']:.0f} MB"
        )
    if stage == "papers":
        return f"{r['bytes_per_paper']:,} B per paper in memory; save {r['save_s']} s, load {r['load_s']} s"
    return json.dumps({k: v for k, v in r.items() if k not in ("stage", "peak_rss_mb", "load_avg", "path")})


def stage_table(args: argparse.Namespace) -> dict[str, Any]:
    results = [json.loads(line) for line in Path(args.results).read_text().splitlines() if line.strip()]
    rows = ["| stage | size | figures (times under load) | peak RSS |", "|---|---|---|---|"]
    for r in results:
        if r["stage"] in ("corpus", "vectors", "table"):
            continue
        size = label(r.get("papers", r.get("n", 0)))
        peak = r.get("child_peak_rss_mb", r["peak_rss_mb"])
        rows.append(f"| {r['stage']} | {size} | {describe(r)} | {peak / 1024:.2f} GB |")
    print("\n".join(rows))
    print("\nextrapolation:", json.dumps(extrapolate(results)))
    return {}


STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "corpus": stage_corpus,
    "vectors": stage_vectors,
    "index": stage_index,
    "extract": stage_extract,
    "bm25": stage_bm25,
    "graph": stage_graph,
    "graph-read": stage_graph_read,
    "ladybug": stage_ladybug,
    "ladybug-read": stage_ladybug_read,
    "papers": stage_papers,
    "ingest": stage_ingest,
    "ingest-child": stage_ingest_child,
    "read": stage_read,
    "api": stage_api,
    "table": stage_table,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument(
        "--papers", type=int, default=10_000, help="synthetic corpus size (corpus, extract, bm25, graph, ingest, api)"
    )
    parser.add_argument("--n", type=int, default=100_000, help="vectors indexed (vectors, index)")
    parser.add_argument(
        "--vectors", type=int, default=0, help="index: read from the file of this many vectors (default --n)"
    )
    parser.add_argument("--kind", default="ivf-pq", choices=["flat", "hnsw", "ivf-sq8", "ivf-pq"])
    parser.add_argument("--nlist", type=int, default=0)
    parser.add_argument("--nprobe", type=int, default=0)
    parser.add_argument("--pq-m", type=int, default=48)
    parser.add_argument("--refine-factor", type=int, default=8)
    parser.add_argument("--tune-queries", type=int, default=200)
    parser.add_argument("--queries", type=int, default=300, help="unseen queries for recall")
    parser.add_argument("--samples", type=int, default=300, help="timed calls per latency figure")
    parser.add_argument("--limit", type=int, default=None, help="extract/ingest/api: first N papers only")
    parser.add_argument("--models", default="real", choices=["real", "synthetic", "stub"], help="ingest: see stage")
    parser.add_argument("--graph", default="networkx", choices=["networkx", "none"], help="ingest: graph store")
    parser.add_argument("--backend", default=None, choices=["torch", "onnx", "onnx-int8"], help="ingest: encoder")
    parser.add_argument("--max-seq", type=int, default=None, help="ingest: encoder max_seq_length")
    parser.add_argument("--workers", type=int, default=None, help="ingest: extraction processes")
    parser.add_argument("--engine", default=None, choices=["local", "ray"], help="ingest: engine")
    parser.add_argument("--no-overlap", action="store_true", help="ingest: extract and embed one after the other")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", type=float, default=1.75, help="vectors: spread around subtopic centres")
    parser.add_argument("--results", default=str(WORK / "results.jsonl"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    WORK.mkdir(parents=True, exist_ok=True)
    result = STAGES[args.stage](args)
    if args.stage != "table":
        record(args, result)


if __name__ == "__main__":
    main()
