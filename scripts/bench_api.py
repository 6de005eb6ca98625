"""Benchmark the HTTP API: starts the real server on loopback and drives it over HTTP.

Prints p50/p99 latency of /search and /ask (one client, distinct queries so the query cache does not help),
requests per second at 1 and 8 concurrent clients, the same with repeated queries, and the server's RSS.

    papergraph ingest            # once, to build data/
    python scripts/bench_api.py [--data-dir data] [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from papergraph.corpus import read_corpus

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--requests", type=int, default=300, help="Requests per latency measurement.")
    args = parser.parse_args()

    papers, _ = read_corpus([args.data_dir / "corpus"]) if (args.data_dir / "corpus").exists() else ([], None)
    distinct = [p.title for p in papers] + [p.abstract.split(". ")[0][:200] for p in papers]
    if len(distinct) < 50:
        distinct = [f"{q} ({i})" for i in range(100) for q in QUESTIONS]

    port = free_port()
    env = {**os.environ, "PAPERGRAPH_DATA_DIR": str(args.data_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "papergraph.cli", "serve", "--port", str(port)],
        env=env,
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
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
