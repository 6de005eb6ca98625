"""Score question answering against the hand-labelled question sets, per question class.

    papergraph --data-dir /tmp/qa-data ingest data/corpus
    python scripts/eval_qa.py --data-dir /tmp/qa-data --set dev [--verbose] [--calibrate] [--search] [--titles]

Questions about the metadata fixture (``"corpus": "meta"``: tests/fixtures/papers_meta.jsonl, with years and
authors) run on their own data directory (``--meta-data-dir``, default ``<data-dir>-meta``), ingested on
first use. Every question goes through ``engine.asker.ask`` with ``--k`` (default 100, so list answers are
whole) and is judged whole by ``papergraph.query.evaluation.judge``:

* per class: fully-right rate, list/count precision and recall (pooled), count exact, hit@1 and hit@5 of
  ranked answers, typo consistency (a misspelled variant gives the same answer as its clean question);
* out-of-scope precision and recall (refusals vs questions labelled out of scope);
* ``--calibrate``: the closest-abstract similarity of every question that names nothing in the graph, to
  choose ``PAPERGRAPH_OUT_OF_SCOPE_SIMILARITY``;
* ``--search``: the questions as plain queries in dense, lexical and hybrid mode; ``--titles``: title
  self-retrieval (the rankers on their own).

The held-out set must never be used to tune the system: run it to report, not to iterate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from papergraph.config import settings_with
from papergraph.errors import PaperGraphError
from papergraph.query import Engine, SearchMode
from papergraph.query.evaluation import (
    QAItem,
    Returned,
    SetScore,
    Verdict,
    hit_at,
    judge,
    load_questions,
    mean,
    micro_pr,
    out_of_scope_pr,
    recall_at,
    reciprocal_rank,
)
from papergraph.query.response import AskResult

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
META_CORPUS = ROOT / "tests" / "fixtures" / "papers_meta.jsonl"
MODES = (SearchMode.DENSE, SearchMode.LEXICAL, SearchMode.HYBRID)
TARGETS = {"fully right": 0.85, "list recall": 0.90, "list precision": 0.90, "paraphrase hit@5": 0.90, "typo": 0.90}


def set_path(name: str) -> Path:
    """questions_<name>.jsonl when the labelled set exists, else the older qa_<name>.jsonl."""
    new = DATA / f"questions_{name}.jsonl"
    return new if new.exists() else DATA / f"qa_{name}.jsonl"


@dataclass
class Outcome:
    """One question, what came back, and its verdict."""

    item: QAItem
    got: Returned
    verdict: Verdict
    fallback: bool
    similarity: float | None
    names_nothing: bool
    ms: float


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="ingested bundled corpus (default: data)")
    parser.add_argument("--meta-data-dir", type=Path, default=None, help="ingested metadata fixture")
    parser.add_argument(
        "--set",
        choices=("dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "both"),
        default="dev",
        help="question set(s) to score",
    )
    parser.add_argument("--questions", type=Path, default=None, help="score this JSONL file instead of a set")
    parser.add_argument("--k", type=int, default=100, help="k passed to ask (the most papers an answer returns)")
    parser.add_argument("--verbose", action="store_true", help="per question: verdict, and what was wrong")
    parser.add_argument("--calibrate", action="store_true", help="similarities behind the out-of-scope threshold")
    parser.add_argument("--search", action="store_true", help="also score the questions as plain searches")
    parser.add_argument("--titles", action="store_true", help="also score title self-retrieval")
    return parser.parse_args(argv)


def load_engine(data_dir: Path) -> Engine:
    """The engine over an ingested directory; exits 1 with the ingest command when there is none."""
    try:
        return Engine.load(settings_with(data_dir=data_dir), warm=False)
    except PaperGraphError as exc:
        print(f"error: no usable index in {data_dir}: {exc}", file=sys.stderr)
        print(f"run `papergraph --data-dir {data_dir} ingest data/corpus` first", file=sys.stderr)
        raise SystemExit(1) from exc


def meta_engine(meta_dir: Path) -> Engine:
    """The engine over the metadata fixture, ingested into ``meta_dir`` the first time."""
    settings = settings_with(data_dir=meta_dir)
    if not (settings.index_dir).exists():
        from papergraph.ingest import ingest

        print(f"ingesting {META_CORPUS.name} into {meta_dir} ...", file=sys.stderr)
        ingest([META_CORPUS], settings)
    return load_engine(meta_dir)


def load_sets(args: argparse.Namespace) -> dict[str, list[QAItem]]:
    if args.questions:
        return {args.questions.stem: load_questions(args.questions)}
    names = ("dev", "heldout") if args.set == "both" else (args.set,)
    return {name: load_questions(set_path(name)) for name in names}


# --------------------------------------------------------------------------------------------------
# Asking and judging
# --------------------------------------------------------------------------------------------------


def returned(result: AskResult) -> Returned:
    value = result.value
    return Returned(
        intent=result.intent.value,
        papers=tuple(p.id for p in result.papers),
        matched=result.matched,
        ranking=tuple(t.name for t in result.ranking),
        value=(value.paper, value.value, value.unit) if value else None,
        trend=tuple((y.year, y.papers) for y in result.trend),
        answer=result.answer,
        compared=tuple(e.name for e in result.interpretation.entities if e.role.value == "compare"),
    )


def run_asks(engines: dict[str, Engine], items: Sequence[QAItem], k: int) -> list[Outcome]:
    for engine in engines.values():
        engine.asker.ask("warm up")  # vocabulary and model outside the timings
    outcomes = []
    for item in items:
        engine = engines[item.corpus]
        t0 = time.perf_counter()
        result = engine.asker.ask(item.question, k=k)
        ms = (time.perf_counter() - t0) * 1000
        it = result.interpretation
        got = returned(result)
        outcomes.append(
            Outcome(
                item=item,
                got=got,
                verdict=judge(item, got),
                fallback=result.fallback,
                similarity=it.top_similarity,
                names_nothing=(not it.entities and not it.unknown and not it.filters)
                or result.intent.value in ("semantic", "out_of_scope"),
                ms=ms,
            )
        )
    return outcomes


def typo_consistency(outcomes: Sequence[Outcome]) -> dict[str, bool]:
    """Variant id -> whether it answered exactly as its clean question did."""
    by_id = {o.item.id: o for o in outcomes}
    return {
        o.item.id: o.got.signature == by_id[o.item.variant_of].got.signature
        for o in outcomes
        if o.item.variant_of and o.item.variant_of in by_id
    }


# --------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------


def cell(value: float | None, width: int = 9) -> str:
    """A right-aligned figure; '-' where there was nothing to measure."""
    return f"{'-':>{width}}" if value is None or value != value else f"{value:>{width}.2f}"


def _rate(values: Sequence[bool | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return mean(kept) if kept else None


def class_rows(outcomes: Sequence[Outcome], typos: dict[str, bool]) -> dict[str, dict[str, float | None]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.item.group].append(o)
    rows = {}
    for name in sorted(groups):
        group = groups[name]
        scores: list[SetScore] = [
            o.verdict.papers for o in group if o.verdict.papers and o.item.intent in ("list", "count")
        ]
        pr = micro_pr(scores) if scores else None
        rows[name] = {
            "n": float(len(group)),
            "right": mean(o.verdict.right for o in group),
            "list P": pr.precision if pr else None,
            "list R": pr.recall if pr else None,
            "count": _rate([o.verdict.count_exact for o in group]),
            "hit@1": _rate([o.verdict.hit1 for o in group]),
            "hit@5": _rate([o.verdict.hit5 for o in group]),
            "typo": _rate([typos.get(o.item.id) for o in group if o.item.variant_of]),
        }
    return rows


def print_classes(rows: dict[str, dict[str, float | None]]) -> None:
    columns = ["n", "right", "list P", "list R", "count", "hit@1", "hit@5", "typo"]
    print(f"\n  {'class':16}" + "".join(f"{c:>9}" for c in columns))
    for name, row in rows.items():
        n = f"{int(row['n'] or 0):>9}"
        print(f"  {name:16}{n}" + "".join(cell(row[c]) for c in columns[1:]))


def show(o: Outcome, verbose: bool) -> None:
    if not verbose:
        return
    mark = "ok   " if o.verdict.right else "WRONG"
    extra = f"  [{o.got.intent}, labelled {o.item.intent}]" if o.got.intent != o.item.intent else ""
    print(f"  {o.item.id:>6} {mark} {o.item.group:14} {o.item.question}{extra}")
    if o.verdict.right:
        return
    print(f"           answer: {o.got.answer[:240]}")
    if o.item.answers:
        missing = [p for p in o.item.answers if p not in o.got.papers]
        extra_papers = [p for p in o.got.papers if p not in o.item.allowed]
        print(f"           missing {missing[:8]}  extra {extra_papers[:8]}  matched {o.got.matched}")
    if o.item.entities:
        print(f"           ranking {list(o.got.ranking[:8])}  gold {list(o.item.entities)}")
    if o.item.value:
        print(f"           value {o.got.value}  gold {o.item.value}")
    if o.item.trend:
        print(f"           trend {o.got.trend}  gold {o.item.trend}")


def calibrate(outcomes: Sequence[Outcome], threshold: float) -> None:
    """The closest-abstract similarity of questions a refusal could hit (similarity questions, and questions that
    name nothing in the graph): where the threshold separates the out-of-scope ones from the rest."""
    rows = sorted(
        (o.similarity, o.item.intent == "out_of_scope", o.item.id)
        for o in outcomes
        if o.names_nothing and o.similarity is not None
    )
    print(f"\nout-of-scope calibration (similarity questions and questions naming nothing; threshold {threshold:.2f})")
    for sim, oos, qid in rows:
        print(f"  {sim:6.3f}  {'OUT ' if oos else 'in  '} {qid}")
    outside = [s for s, oos, _ in rows if oos]
    inside = [s for s, oos, _ in rows if not oos]
    if outside and inside:
        print(f"  out-of-scope max {max(outside):.3f}; in-scope min {min(inside):.3f}")


def search_comparison(engine: Engine, items: Sequence[QAItem]) -> None:
    """Each ranked question as a plain query in every mode: does fusion beat dense and lexical alone?"""
    ranked_items = [i for i in items if i.answers and i.corpus == "bundled"]
    print(f"\nsearch with the question as query ({len(ranked_items)} questions with answers)")
    print(f"  {'mode':8}{'hit@1':>9}{'hit@5':>9}{'MRR@10':>9}{'R@10':>9}")
    for mode in MODES:
        ranked = [[h.id for h in engine.searcher.search(i.question, k=10, mode=mode).data] for i in ranked_items]
        pairs = list(zip(ranked, ranked_items, strict=True))
        print(
            f"  {mode.value:8}"
            + cell(mean(hit_at(r, i.answers, 1) for r, i in pairs))
            + cell(mean(hit_at(r, i.answers, 5) for r, i in pairs))
            + cell(mean(reciprocal_rank(r, i.answers, 10) for r, i in pairs))
            + cell(mean(recall_at(r, i.answers, 10) for r, i in pairs))
        )


def title_self_retrieval(engine: Engine) -> dict[str, float]:
    """Each title as the query: the reciprocal rank of its own paper (MRR@10), per mode."""
    papers = list(engine.index.papers.values())
    vectors = engine.encoder.encode([p.title for p in papers])  # type: ignore[attr-defined]
    out = {}
    for mode in MODES:
        ranks = [
            [pid for pid, *_ in engine.searcher.rank(p.title, 10, vector=v, mode=mode)]
            for p, v in zip(papers, vectors, strict=True)
        ]
        out[mode.value] = mean(reciprocal_rank(r, [p.id], 10) for r, p in zip(ranks, papers, strict=True))
    print("\ntitle self-retrieval MRR@10: " + ", ".join(f"{m} {v:.3f}" for m, v in out.items()))
    return out


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def evaluate_set(
    engines: dict[str, Engine], name: str, items: list[QAItem], args: argparse.Namespace
) -> dict[str, float]:
    usable = [i for i in items if i.corpus in engines]
    if len(usable) < len(items):
        print(f"warning: {len(items) - len(usable)} questions need a corpus that is not loaded", file=sys.stderr)
    print(f"\n=== {name}: {len(usable)} questions ===")
    outcomes = run_asks(engines, usable, args.k)
    for o in outcomes:
        show(o, args.verbose)
    typos = typo_consistency(outcomes)
    rows = class_rows(outcomes, typos)
    print_classes(rows)
    oos = out_of_scope_pr([(o.item, o.got) for o in outcomes])
    lists = [o.verdict.papers for o in outcomes if o.verdict.papers and o.item.intent == "list"]
    pr = micro_pr(lists) if lists else None
    summary = {
        "right": mean(o.verdict.right for o in outcomes),
        "list_p": pr.precision if pr else float("nan"),
        "list_r": pr.recall if pr else float("nan"),
        "oos_p": oos.precision,
        "oos_r": oos.recall,
        "typo": mean(typos.values()) if typos else float("nan"),
        "intent_acc": mean(o.got.intent == o.item.intent for o in outcomes),
        "median_ms": statistics.median(o.ms for o in outcomes) if outcomes else 0.0,
    }
    lp, lr, typo = (cell(summary[key], 0) for key in ("list_p", "list_r", "typo"))
    print(
        f"\n  all: fully right {summary['right']:.3f}   list P {lp} R {lr}"
        f"   out-of-scope P {oos.precision:.2f} R {oos.recall:.2f}   typo consistency {typo}"
        f"   intent accuracy {summary['intent_acc']:.3f}   median ask {summary['median_ms']:.0f} ms"
    )
    if args.calibrate:
        calibrate(outcomes, next(iter(engines.values())).settings.out_of_scope_similarity)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sets = load_sets(args)
    engines = {"bundled": load_engine(args.data_dir)}
    if any(i.corpus == "meta" for items in sets.values() for i in items) and META_CORPUS.exists():
        engines["meta"] = meta_engine(args.meta_data_dir or args.data_dir.with_name(args.data_dir.name + "-meta"))
    for name, items in sets.items():
        evaluate_set(engines, name, items, args)
        if args.search:
            search_comparison(engines["bundled"], items)
    if args.titles:
        title_self_retrieval(engines["bundled"])
    for engine in engines.values():
        engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
