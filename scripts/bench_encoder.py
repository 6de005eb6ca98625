"""Encoder backends and sequence lengths on the bundled corpus: speed, fidelity to torch fp32, retrieval quality.

For each backend (torch fp32, ONNX Runtime fp32, ONNX Runtime int8) and ``max_seq_length``: abstracts/s encoding
every paper's title + abstract (median and best of the runs; the configurations take turns so load hits them
alike), the cosine of each vector to torch fp32 at the default length (mean and min), title self-retrieval MRR@10
(each title as a query over the title + abstract vectors; its own paper is the answer), and question MRR@10 (the
QA dev questions as dense queries; their labelled answers are the relevant papers). The model caps the length at
its own ``max_seq_length`` (256 for all-MiniLM-L6-v2), so a longer setting changes nothing.

    python scripts/bench_encoder.py [--runs 3] [--lengths 128 192 256] [--backends torch onnx onnx-int8]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from papergraph.config import Settings
from papergraph.corpus import read_corpus
from papergraph.embed import Encoder
from papergraph.query.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ("torch", 256)


def mrr_at_10(queries: np.ndarray, docs: np.ndarray) -> float:
    scores = queries @ docs.T
    own = np.diag(scores)
    ranks = (scores > own[:, None]).sum(axis=1) + 1
    return float(np.mean(np.where(ranks <= 10, 1.0 / ranks, 0.0)))


def question_mrr(encoder: Encoder, docs: np.ndarray, ids: list[str], questions: list[tuple[str, set[str]]]) -> float:
    scores = encoder.encode([q for q, _ in questions]) @ docs.T
    total = 0.0
    for row, (_, answers) in zip(scores, questions, strict=True):
        top = [ids[i] for i in np.argsort(-row)[:10]]
        total += next((1.0 / rank for rank, pid in enumerate(top, start=1) if pid in answers), 0.0)
    return total / len(questions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 192, 256])
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    parser.add_argument("--json", action="store_true", help="one JSON object per configuration")
    args = parser.parse_args(argv)

    papers, _ = read_corpus([args.corpus])
    texts = [p.text for p in papers]
    titles = [p.title for p in papers]
    ids = [p.id for p in papers]
    questions = [(q.question, set(q.answers)) for q in load_questions(ROOT / "tests" / "data" / "qa_dev.jsonl")]
    configs = [(b, n) for b in args.backends for n in args.lengths]
    if DEFAULT not in configs:
        configs.insert(0, DEFAULT)
    with tempfile.TemporaryDirectory(prefix="pg-bench-encoder-") as tmp:
        encoders = {
            (b, n): Encoder(Settings(data_dir=Path(tmp), encoder_backend=b, max_seq_length=n)) for b, n in configs
        }
        started = time.perf_counter()
        vectors = {c: e.encode(texts) for c, e in encoders.items()}  # warm-up: loads, exports, quantises
        print(f"loaded {len(configs)} configurations in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        times: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
        for _ in range(args.runs):
            for config, encoder in encoders.items():
                started = time.perf_counter()
                vectors[config] = encoder.encode(texts)
                times[config].append(time.perf_counter() - started)
        reference = vectors[DEFAULT]
        rows = []
        for config, encoder in encoders.items():
            cosine = np.sum(vectors[config] * reference, axis=1)
            rows.append(
                {
                    "backend": config[0],
                    "max_seq_length": config[1],
                    "abstracts_per_s": round(len(texts) / statistics.median(times[config]), 1),
                    "best_abstracts_per_s": round(len(texts) / min(times[config]), 1),
                    "cosine_to_torch_256_mean": round(float(cosine.mean()), 4),
                    "cosine_to_torch_256_min": round(float(cosine.min()), 4),
                    "title_mrr_at_10": round(mrr_at_10(encoder.encode(titles), vectors[config]), 4),
                    "question_mrr_at_10": round(question_mrr(encoder, vectors[config], ids, questions), 4),
                }
            )
    base = next(r["abstracts_per_s"] for r in rows if (r["backend"], r["max_seq_length"]) == DEFAULT)
    print(f"{len(texts)} abstracts, median of {args.runs} runs; speed-up relative to torch fp32 at 256 tokens")
    header = ("backend", "tokens", "abs/s", "best", "x", "cos mean", "cos min", "title", "quest.")
    print("".join(f"{h:<10}" if i == 0 else f"{h:>8}" for i, h in enumerate(header)))
    for r in rows:
        if args.json:
            print(json.dumps(r))
        print(
            f"{r['backend']:<10}{r['max_seq_length']:>8}{r['abstracts_per_s']:>8}{r['best_abstracts_per_s']:>8}"
            f"{r['abstracts_per_s'] / base:>8.2f}{r['cosine_to_torch_256_mean']:>8}{r['cosine_to_torch_256_min']:>8}"
            f"{r['title_mrr_at_10']:>8}{r['question_mrr_at_10']:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
