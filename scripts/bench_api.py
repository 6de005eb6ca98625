"""Benchmark the HTTP API: starts the real server on loopback and drives it over HTTP.

Prints p50/p99 latency of /search and /ask (one client, distinct queries so the query cache does not help),
requests per second at 1 and 8 concurrent clients, the same with repeated queries, and the server's RSS.

Then "8 clients + ingest": a second server on a copy of the data directory answers 8 clients for
``--load-seconds`` while another process ingests ``--new-papers`` new papers into it; prints errors,
requests per second, p50/p99 latency over the whole run, and the seconds from the ingest's commit until the
server answers with the new papers (live reload, no restart). Targets: 0 errors, p99 <= 150 ms.

    papergraph ingest            # once, to build data/
    python scripts/bench_api.py [--data-dir data] [--corpus data/corpus] [--requests 300]
                                [--load-seconds 60] [--new-papers 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from papergraph.corpus import read_corpus
from papergraph.models import Paper

QUESTIONS = [
    "Which papers run LLM decoding on FPGAs, and how fast?",
    "How many papers evaluate on Jetson devices?",
    "Which papers use federated learning on mobile devices?",
    "Which papers use knowledge distillation?",
    "What throughput does TeLLMe reach?",
    "GPUs vs FPGAs for LLM inference",
    "How can serverless cold starts be reduced?",
    "Which papers use quantization on edge devices?",
    "Which hardware do the most papers use?",
    "Which techniques co-occur with pruning?",
    "What is the highest throughput reported in tokens/s?",
    "Which papers use quantizaton on Jetson boards?",
    "What is the melting point of tungsten?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(call: Callable[[], httpx.Response]) -> float:
    t0 = time.perf_counter()
    r = call()
    r.raise_for_status()
    return (time.perf_counter() - t0) * 1000


def throughput(url: str, queries: list[str], clients: int, per_client: int) -> float:
    """Requests per second with `clients` threads, each with its own keep-alive connection."""
    counter = iter(range(10**9))
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for _ in range(per_client):
                with lock:
                    i = next(counter)
                client.get("/search", params={"q": queries[i % len(queries)], "k": 10}).raise_for_status()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients * per_client / (time.perf_counter() - t0)


@contextmanager
def serving(data_dir: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A `papergraph serve` on a free port over ``data_dir``, up and answering; stopped on exit."""
    port = free_port()
    environ = {**os.environ, "PAPERGRAPH_DATA_DIR": str(data_dir), **env}
    server = subprocess.Popen(
        [sys.executable, "-m", "papergraph.cli", "serve", "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).json()["status"] == "ok":
                    break
                sys.exit("the server has no index: run `papergraph ingest` first")
            except httpx.HTTPError:
                if server.poll() is not None or time.perf_counter() - t0 > 180:
                    sys.exit("the server did not start")
                time.sleep(0.3)
        yield url, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def new_papers(papers: list[Paper], n: int, seed: int = 7) -> list[dict[str, str]]:
    """``n`` papers not in the corpus: sentences of bundled abstracts recombined, distinct titles."""
    rng = random.Random(seed)
    sentences = [s for p in papers for s in p.abstract.split(". ") if len(s) > 40]
    return [
        {
            "id": f"bench-{seed}-{i}",
            "title": f"Benchmark paper {seed}-{i} on {rng.choice(papers).title.split(':')[0]}",
            "abstract": ". ".join(rng.sample(sentences, 6)) + ".",
        }
        for i in range(n)
    ]


def ingest_under_load(data_dir: Path, papers: list[Paper], queries: list[str], seconds: float, n_new: int) -> None:
    """8 clients for ``seconds`` while another process ingests ``n_new`` papers into the served directory."""
    with tempfile.TemporaryDirectory(prefix="papergraph-bench-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("corpus", ".writer.lock"))
        extra = new_papers(papers, n_new)
        source = Path(tmp) / "new.jsonl"
        source.write_text("".join(json.dumps(p) + "\n" for p in extra))
        with serving(copy, PAPERGRAPH_RELOAD_INTERVAL_S="1") as (url, _):
            before = httpx.get(f"{url}/health").json()
            latencies: list[float] = []
            stamps: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            stop = threading.Event()

            def client(n: int) -> None:
                i = n
                with httpx.Client(base_url=url, timeout=30) as http:
                    while not stop.is_set():
                        i += 8
                        t0 = time.perf_counter()
                        try:
                            if i % 4 == 0:
                                r = http.post("/ask", json={"question": QUESTIONS[i % len(QUESTIONS)] + f" #{i}"})
                            else:
                                r = http.get("/search", params={"q": queries[i % len(queries)], "k": 10})
                            ok = r.status_code == 200
                            problem = f"{r.status_code} {r.text[:120]}"
                        except httpx.HTTPError as exc:
                            ok, problem = False, repr(exc)
                        with lock:
                            latencies.append((time.perf_counter() - t0) * 1000)
                            stamps.append(t0)
                            if not ok:
                                errors.append(problem)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
            t_start = time.perf_counter()
            for t in threads:
                t.start()
            time.sleep(min(5.0, seconds / 4))
            env = {**os.environ, "PAPERGRAPH_DATA_DIR": str(copy)}
            served_at: list[float] = []  # wall-clock time the new papers were first served

            def watch() -> None:
                with httpx.Client(base_url=url, timeout=30) as http:
                    while not stop.is_set() and not served_at:
                        if http.get("/health").json()["papers"] == before["papers"] + n_new:
                            served_at.append(time.time())
                        time.sleep(0.02)

            watcher = threading.Thread(target=watch)
            watcher.start()
            t_ingest = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "papergraph.cli", "ingest", str(source), "--json"],
                env=env,
                capture_output=True,
                text=True,
            )
            t_commit = time.perf_counter()
            if done.returncode != 0:
                sys.exit(f"the ingest failed: {done.stderr[-2000:]}")
            committed_at = (copy / "index" / "manifest.json").stat().st_mtime
            watcher.join(timeout=60)
            served = served_at[0] - committed_at if served_at else None
            time.sleep(max(0.0, seconds - (time.perf_counter() - t_start)))
            stop.set()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - t_start
        print(f"\n8 clients + ingest of {n_new} papers ({elapsed:.0f} s, search 3 : ask 1)")
        print(f"{'requests / errors':<34}{len(latencies):>9} / {len(errors)}")
        print(f"{'requests per second':<34}{len(latencies) / elapsed:>9.1f}")
        print(f"{'p50 / p99 ms':<34}{statistics.median(latencies):>9.1f} / {percentile(latencies, 0.99):.1f}")
        phases = (
            ("before the ingest", t_start, t_ingest),
            ("while it runs (and reload)", t_ingest, t_commit),
            ("after it", t_commit, float("inf")),
        )
        for name, lo, hi in phases:
            part = [ms for ms, at in zip(latencies, stamps, strict=True) if lo <= at < hi]
            if part:
                p50, p99 = statistics.median(part), percentile(part, 0.99)
                print(f"{'  ' + name + ' p50 / p99 ms':<34}{p50:>9.1f} / {p99:.1f}   n={len(part)}")
        print(f"{'ingest (separate process) s':<34}{t_commit - t_ingest:>9.1f}")
        shown = f"{served:.2f}" if served is not None else "not within 60 s"
        print(f"{'new papers served after commit s':<34}{shown:>9}")
        for problem in errors[:5]:
            print(f"  error: {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument(
        "--corpus", type=Path, default=Path("data/corpus"), help="Papers the queries and the new papers come from."
    )
    parser.add_argument("--requests", type=int, default=300, help="Requests per latency measurement.")
    parser.add_argument("--load-seconds", type=float, default=60, help="Length of the 8 clients + ingest run.")
    parser.add_argument("--new-papers", type=int, default=20, help="Papers the concurrent ingest adds.")
    parser.add_argument("--skip-ingest", action="store_true", help="Leave out the 8 clients + ingest run.")
    parser.add_argument("--only-ingest", action="store_true", help="Only the 8 clients + ingest run.")
    args = parser.parse_args()

    if not args.corpus.exists():
        parser.error(f"no corpus at {args.corpus} (--corpus): the queries and the new papers are made from it")
    papers, _ = read_corpus([args.corpus])
    distinct = [p.title for p in papers] + [p.abstract.split(". ")[0][:200] for p in papers]
    if len(distinct) < 50:
        distinct = [f"{q} ({i})" for i in range(100) for q in QUESTIONS]

    if args.only_ingest:
        ingest_under_load(args.data_dir, papers, distinct, args.load_seconds, args.new_papers)
        return
    t0 = time.perf_counter()
    with serving(args.data_dir) as (url, server):
        print(f"server up in {time.perf_counter() - t0:.1f} s, RSS {rss_mb(server.pid):.0f} MB")

        with httpx.Client(base_url=url, timeout=30) as client:
            for q in QUESTIONS[:3]:  # warm the code paths (not the queries measured)
                client.post("/ask", json={"question": q + " (warm-up)"})
            n = min(args.requests, len(distinct))
            search_ms = [timed(lambda q=q: client.get("/search", params={"q": q, "k": 10})) for q in distinct[:n]]
            asks = [f"{QUESTIONS[i % len(QUESTIONS)]} #{i}" for i in range(min(n, 200))]
            ask_ms = [timed(lambda q=q: client.post("/ask", json={"question": q})) for q in asks]
            repeat_ms = [timed(lambda: client.get("/search", params={"q": distinct[0], "k": 10})) for _ in range(n)]

        print(f"\n{'endpoint':<34}{'p50 ms':>9}{'p99 ms':>9}   n")
        for name, values in (
            ("/search (distinct queries)", search_ms),
            ("/search (same query, cached)", repeat_ms),
            ("/ask (distinct questions)", ask_ms),
        ):
            print(f"{name:<34}{statistics.median(values):>9.1f}{percentile(values, 0.99):>9.1f}   {len(values)}")

        print(f"\n{'/search throughput':<34}{'req/s':>9}")
        for clients in (1, 8):
            per_client = max(10, args.requests // clients)
            offset = distinct[n:] + distinct[:n]
            rps = throughput(url, offset, clients, per_client)
            print(f"{f'{clients} client(s), distinct queries':<34}{rps:>9.1f}")
        print(f"{'8 clients, 20 repeated queries':<34}{throughput(url, distinct[:20], 8, args.requests // 8):>9.1f}")
        print(f"\nserver RSS after load: {rss_mb(server.pid):.0f} MB")
    if not args.skip_ingest:
        ingest_under_load(args.data_dir, papers, distinct, args.load_seconds, args.new_papers)


if __name__ == "__main__":
    main()
