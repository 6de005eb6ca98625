#!/usr/bin/env python
"""Time extraction of the bundled corpus (title + abstract of every paper) once the model is loaded.

Prints the load time, each run, and the median of the runs in seconds and papers/s (target: >= 150 papers/s on
2 cores), with the CPU time of each run: on a busy machine papers per CPU-second is the figure that holds
(extraction runs in this one process).

``--long`` also times single abstracts made of the corpus's text at growing lengths and prints the
time per 100k characters, which stays flat when extraction time grows linearly with length.

    python scripts/bench_extract.py [--runs 3] [--corpus data/corpus] [--long 100000,200000,400000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from papergraph.corpus import read_corpus
from papergraph.extract import Extractor
from papergraph.models import Paper

ROOT = Path(__file__).resolve().parent.parent


def bench_corpus(extractor: Extractor, papers: list[Paper], runs: int) -> None:
    times, cpu_times = [], []
    for run in range(1, runs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        extractions = list(extractor.extract(papers))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        times.append(elapsed)
        cpu_times.append(cpu)
        metrics = sum(len(e.metrics) for e in extractions)
        rate = len(papers) / elapsed
        print(
            f"run {run}: {len(papers)} papers in {elapsed:.2f} s ({rate:.0f} papers/s; CPU {cpu:.2f} s), "
            f"{metrics} metrics"
        )
    median, cpu_median = statistics.median(times), statistics.median(cpu_times)
    print(
        f"median of {runs}: {median:.2f} s for {len(papers)} papers = {len(papers) / median:.0f} papers/s "
        f"({len(papers) / cpu_median:.0f} papers per CPU-second)"
    )


def bench_long(extractor: Extractor, papers: list[Paper], lengths: list[int]) -> None:
    text = " ".join(p.abstract for p in papers)
    while len(text) < max(lengths):
        text = f"{text} {text}"
    for n in lengths:
        paper = Paper(id="long", title="A long abstract", abstract=text[:n])
        start = time.perf_counter()
        extraction = next(extractor.extract([paper]))
        elapsed = time.perf_counter() - start
        per = elapsed / n * 100_000
        print(f"{n:>9} chars: {elapsed:6.2f} s ({per:.2f} s per 100k chars), {len(extraction.metrics)} metrics")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    parser.add_argument("--long", default="", help="comma-separated abstract lengths in characters to time")
    args = parser.parse_args(argv)

    papers, _ = read_corpus([args.corpus])
    start = time.perf_counter()
    extractor = Extractor()
    print(f"model + rules loaded in {time.perf_counter() - start:.2f} s; pipes: {extractor.nlp.pipe_names}")
    bench_corpus(extractor, papers, args.runs)
    if args.long:
        bench_long(extractor, papers, [int(n) for n in args.long.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
