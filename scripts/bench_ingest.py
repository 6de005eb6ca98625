"""Benchmark the ingest job on the bundled corpus: cold runs and a re-run with nothing changed.

Each run is a fresh `papergraph ingest --json` process, so the figures include interpreter start-up, imports and
model loading, as a user sees them. Prints seconds per stage (median over runs) and papers per second.

    python scripts/bench_ingest.py [--runs 3] [--corpus data/corpus]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("read", "extract", "embed", "graph", "index", "total")


def run_ingest(data_dir: Path, corpus: Path) -> tuple[dict[str, float], float, dict[str, int]]:
    cmd = [sys.executable, "-m", "papergraph.cli", "--data-dir", str(data_dir), "ingest", str(corpus), "--json"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    report = json.loads(done.stdout)
    counts = {k: report[k] for k in ("papers", "added", "skipped", "bad")}
    return report["seconds"], wall, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    args = parser.parse_args()

    cold: list[tuple[dict[str, float], float]] = []
    warm: list[tuple[dict[str, float], float]] = []
    with tempfile.TemporaryDirectory(prefix="pg-bench-") as tmp:
        for run in range(args.runs):
            data_dir = Path(tmp) / f"cold-{run}"
            seconds, wall, counts = run_ingest(data_dir, args.corpus)
            cold.append((seconds, wall))
            print(f"cold run {run + 1}: {wall:.1f} s wall, {counts}", flush=True)
        for run in range(args.runs):
            seconds, wall, counts = run_ingest(Path(tmp) / "cold-0", args.corpus)
            warm.append((seconds, wall))
            print(f"re-ingest run {run + 1}: {wall:.2f} s wall, {counts}", flush=True)

    papers = counts["papers"]
    print(f"\ncorpus: {args.corpus} ({papers} papers), median of {args.runs} runs")
    print(f"{'stage':<10}{'cold s':>10}{'re-ingest s':>14}")
    for stage in STAGES:
        c = statistics.median(s.get(stage, 0.0) for s, _ in cold)
        w = statistics.median(s.get(stage, 0.0) for s, _ in warm)
        print(f"{stage:<10}{c:>10.2f}{w:>14.2f}")
    cold_wall = statistics.median(w for _, w in cold)
    warm_wall = statistics.median(w for _, w in warm)
    print(f"{'wall':<10}{cold_wall:>10.2f}{warm_wall:>14.2f}   (process start to exit)")
    print(f"\ncold ingest: {papers / cold_wall:.1f} papers/s end to end (target <= 45 s: {cold_wall:.1f} s)")
    print(f"re-ingest, nothing changed: {warm_wall:.2f} s (target <= 5 s)")


if __name__ == "__main__":
    main()
