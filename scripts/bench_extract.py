#!/usr/bin/env python
"""Time extraction of the bundled corpus (title + abstract of every paper) once the model is loaded.

Prints the load time, each run, and the median of the runs in seconds and papers/s.

    python scripts/bench_extract.py [--runs 3] [--corpus data/corpus]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from papergraph.corpus import read_corpus
from papergraph.extract import Extractor

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    args = parser.parse_args(argv)

    papers, _ = read_corpus([args.corpus])
    start = time.perf_counter()
    extractor = Extractor()
    print(f"model + rules loaded in {time.perf_counter() - start:.2f} s; pipes: {extractor.nlp.pipe_names}")

    times = []
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        extractions = list(extractor.extract(papers))
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        metrics = sum(len(e.metrics) for e in extractions)
        rate = len(papers) / elapsed
        print(f"run {run}: {len(papers)} papers in {elapsed:.2f} s ({rate:.0f} papers/s), {metrics} metrics")
    median = statistics.median(times)
    print(f"median of {args.runs}: {median:.2f} s for {len(papers)} papers = {len(papers) / median:.0f} papers/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
