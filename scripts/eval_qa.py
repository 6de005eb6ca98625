"""Score question answering and search against the hand-labelled question sets.

    papergraph --data-dir /tmp/qa-data ingest data/corpus
    python scripts/eval_qa.py --data-dir /tmp/qa-data --set both [--verbose]

Three measurements, all on an ingested data directory:

* ask: every question of tests/data/qa_{dev,heldout}.jsonl through ``engine.asker.ask``. List and count questions
  are scored as a returned set (precision, recall; for counts also ``matched`` against the gold size); fact,
  compare and semantic questions as a ranking (hit@1, hit@5). Intent accuracy and the median time per ask too.
* search: the same questions as plain queries in dense, lexical and hybrid mode (hit@k, MRR@10, recall@10), so
  it shows whether reciprocal rank fusion beats either ranking alone.
* title self-retrieval: each paper's title as the query; the rank of its own paper (MRR@10, recall@1) per mode.

The held-out set must never be used to tune the system: run it to report, not to iterate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from papergraph.config import settings_with
from papergraph.errors import PaperGraphError
from papergraph.query import Engine, SearchMode
from papergraph.query.evaluation import (
    RANK_INTENTS,
    SET_INTENTS,
    QAItem,
    SetScore,
    count_score,
    expect_ok,
    hit_at,
    load_questions,
    macro_pr,
    mean,
    micro_pr,
    recall_at,
    reciprocal_rank,
    set_score,
)

ROOT = Path(__file__).resolve().parent.parent
SETS = {"dev": ROOT / "tests/data/qa_dev.jsonl", "heldout": ROOT / "tests/data/qa_heldout.jsonl"}
MODES = (SearchMode.DENSE, SearchMode.LEXICAL, SearchMode.HYBRID)
TARGETS = {"list recall": 0.90, "list precision": 0.80, "semantic hit@5": 0.90, "title MRR@10": 0.95}


@dataclass
class AskOutcome:
    """What the asker returned for one labelled question."""

    item: QAItem
    intent: str
    ranked: list[str]
    matched: int
    fallback: bool
    answer: str
    ms: float


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="ingested data directory (default: data)")
    parser.add_argument("--set", choices=("dev", "heldout", "both"), default="dev", help="question set(s) to score")
    parser.add_argument("--k", type=int, default=100, help="k passed to ask (the most papers an answer returns)")
    parser.add_argument("--verbose", action="store_true", help="per question: returned vs gold, missing/extra")
    parser.add_argument("--skip-titles", action="store_true", help="skip title self-retrieval")
    return parser.parse_args(argv)


def load_engine(data_dir: Path) -> Engine:
    """The engine over an ingested directory; exits 1 with the ingest command when there is none."""
    try:
        return Engine.load(settings_with(data_dir=data_dir), warm=False)
    except PaperGraphError as exc:
        print(f"error: no usable index in {data_dir}: {exc}", file=sys.stderr)
        print(f"run `papergraph --data-dir {data_dir} ingest data/corpus` first", file=sys.stderr)
        raise SystemExit(1) from exc


def load_sets(which: str) -> dict[str, list[QAItem]]:
    names = ("dev", "heldout") if which == "both" else (which,)
    return {name: load_questions(SETS[name]) for name in names}


def check_gold(engine: Engine, items: Iterable[QAItem]) -> None:
    """Warn about gold ids the index does not hold (a different corpus was ingested)."""
    missing = sorted({pid for i in items for pid in (*i.answers, *i.acceptable) if pid not in engine.index})
    if missing:
        print(f"warning: {len(missing)} gold paper ids are not in the index, e.g. {missing[:3]}", file=sys.stderr)


# --------------------------------------------------------------------------------------------------
# Asking
# --------------------------------------------------------------------------------------------------


def run_asks(engine: Engine, items: Sequence[QAItem], k: int) -> list[AskOutcome]:
    engine.asker.ask("warm up")  # load the spaCy pipeline outside the timings
    outcomes = []
    for item in items:
        t0 = time.perf_counter()
        result = engine.asker.ask(item.question, k=k)
        ms = (time.perf_counter() - t0) * 1000
        outcomes.append(
            AskOutcome(
                item=item,
                intent=result.intent.value,
                ranked=[p.id for p in result.papers],
                matched=result.matched,
                fallback=result.fallback,
                answer=result.answer,
                ms=ms,
            )
        )
    return outcomes


def title(engine: Engine, pid: str) -> str:
    paper = engine.index.papers.get(pid)
    return paper.title if paper else f"<{pid} not indexed>"


def show_question(o: AskOutcome, line: str) -> None:
    """One question's verdict; with --verbose also what was missed and what was wrongly returned."""
    flag = "" if o.intent == o.item.intent else f"  [intent {o.intent}, labelled {o.item.intent}]"
    print(f"  {o.item.id:4} {line}{flag}{'  [fallback]' if o.fallback else ''}  {o.item.question}")


def show_details(engine: Engine, o: AskOutcome) -> None:
    missing = [pid for pid in o.item.answers if pid not in o.ranked]
    extra = [pid for pid in o.ranked if pid not in o.item.allowed]
    print(f"         answer: {o.answer[:200]}")
    print(f"         returned {len(o.ranked)}: {' '.join(o.ranked[:12])}{' …' if len(o.ranked) > 12 else ''}")
    print(f"         gold {len(o.item.answers)}: {' '.join(o.item.answers)}")
    for pid in missing:
        print(f"         - missing {pid} {title(engine, pid)}")
    for pid in extra[:10]:
        print(f"         + extra   {pid} {title(engine, pid)}")
    if len(extra) > 10:
        print(f"         + … {len(extra) - 10} more extra")


def score_sets(engine: Engine, outcomes: Sequence[AskOutcome], verbose: bool) -> dict[str, float]:
    """List and count questions: precision/recall of the returned set, counts vs gold size."""
    scores: list[SetScore] = []
    count_errors: list[int] = []
    print("\nlist/count questions (returned set vs gold; acceptable papers are not counted as errors)")
    for o in outcomes:
        s = set_score(o.ranked, o.item.answers, o.item.acceptable)
        scores.append(s)
        line = f"P={s.precision:.2f} R={s.recall:.2f} ({s.found}/{s.gold} found, {s.returned} returned)"
        if o.item.intent == "count":
            c = count_score(o.matched, len(o.item.answers))
            count_errors.append(c.diff)
            line += f" count={o.matched} gold={c.gold}{' ok' if c.exact else ''}"
        show_question(o, line)
        if verbose:
            show_details(engine, o)
    micro, macro = micro_pr(scores), macro_pr(scores)
    print(f"  micro P={micro.precision:.3f} R={micro.recall:.3f}   macro P={macro.precision:.3f} R={macro.recall:.3f}")
    if count_errors:
        exact = sum(e == 0 for e in count_errors)
        print(f"  counts exact {exact}/{len(count_errors)}, mean |error| {mean(count_errors):.2f}")
    return {
        "micro_p": micro.precision,
        "micro_r": micro.recall,
        "macro_p": macro.precision,
        "macro_r": macro.recall,
        "count_exact": mean(e == 0 for e in count_errors) if count_errors else float("nan"),
        "count_abs_err": mean(count_errors) if count_errors else float("nan"),
    }


def score_ranks(engine: Engine, outcomes: Sequence[AskOutcome], verbose: bool) -> dict[str, float]:
    """Fact, compare and semantic questions: hit@1 and hit@5 of the returned ranking."""
    print("\nfact/compare/semantic questions (hit@1, hit@5 against the gold papers)")
    rows: dict[str, list[tuple[bool, bool]]] = {}
    expects: list[bool] = []
    for o in outcomes:
        h1, h5 = hit_at(o.ranked, o.item.answers, 1), hit_at(o.ranked, o.item.answers, 5)
        rows.setdefault(o.item.intent, []).append((h1, h5))
        line = f"hit@1={int(h1)} hit@5={int(h5)}"
        if o.item.expect:
            ok = expect_ok(o.answer, o.item.expect)
            expects.append(ok)
            line += f" expect={'ok' if ok else 'MISSING ' + '/'.join(o.item.expect)}"
        show_question(o, line)
        if verbose:
            show_details(engine, o)
    out: dict[str, float] = {}
    for intent in RANK_INTENTS:
        hits = rows.get(intent, [])
        if hits:
            out[f"{intent}_hit1"] = mean(h1 for h1, _ in hits)
            out[f"{intent}_hit5"] = mean(h5 for _, h5 in hits)
            print(f"  {intent:8} n={len(hits):2}  hit@1={out[f'{intent}_hit1']:.3f}  hit@5={out[f'{intent}_hit5']:.3f}")
    all_hits = [h for hits in rows.values() for h in hits]
    out["all_hit1"] = mean(h1 for h1, _ in all_hits)
    out["all_hit5"] = mean(h5 for _, h5 in all_hits)
    if expects:
        out["expect_ok"] = mean(expects)
        print(f"  fact answers containing the expected value: {sum(expects)}/{len(expects)}")
    return out


# --------------------------------------------------------------------------------------------------
# Search comparison and title self-retrieval
# --------------------------------------------------------------------------------------------------


def search_comparison(engine: Engine, items: Sequence[QAItem]) -> dict[str, dict[str, float]]:
    """Each question as a plain query in every mode: does fusion beat dense and lexical alone?"""
    table: dict[str, dict[str, float]] = {}
    for mode in MODES:
        ranked = [[h.id for h in engine.searcher.search(i.question, k=10, mode=mode).data] for i in items]
        sets = [(r, i) for r, i in zip(ranked, items, strict=True) if i.intent in SET_INTENTS]
        table[mode.value] = {
            "hit@1": mean(hit_at(r, i.answers, 1) for r, i in zip(ranked, items, strict=True)),
            "hit@5": mean(hit_at(r, i.answers, 5) for r, i in zip(ranked, items, strict=True)),
            "MRR@10": mean(reciprocal_rank(r, i.answers, 10) for r, i in zip(ranked, items, strict=True)),
            "list R@10": mean(recall_at(r, i.answers, 10) for r, i in sets) if sets else float("nan"),
        }
    print_table("search with the question as query (all questions)", table)
    return table


def title_self_retrieval(engine: Engine) -> dict[str, dict[str, float]]:
    """Each title as the query: where does its own paper rank? Titles are encoded in one batch."""
    papers = list(engine.index.papers.values())
    vectors = engine.encoder.encode([p.title for p in papers])
    table: dict[str, dict[str, float]] = {}
    for mode in MODES:
        ranks = [
            [pid for pid, *_ in engine.searcher.rank(p.title, 10, vector=v, mode=mode)]
            for p, v in zip(papers, vectors, strict=True)
        ]
        table[mode.value] = {
            "MRR@10": mean(reciprocal_rank(r, [p.id], 10) for r, p in zip(ranks, papers, strict=True)),
            "R@1": mean(hit_at(r, [p.id], 1) for r, p in zip(ranks, papers, strict=True)),
            "R@10": mean(hit_at(r, [p.id], 10) for r, p in zip(ranks, papers, strict=True)),
        }
    print_table(f"title self-retrieval ({len(papers)} papers)", table)
    return table


def cell(value: float, width: int) -> str:
    """A right-aligned figure; '-' where there was nothing to measure (NaN)."""
    return f"{'-':>{width}}" if value != value else f"{value:>{width}.3f}"


def print_table(heading: str, table: dict[str, dict[str, float]]) -> None:
    columns = list(next(iter(table.values())))
    print(f"\n{heading}")
    print("  " + f"{'mode':8}" + "".join(f"{c:>11}" for c in columns))
    for mode, row in table.items():
        print("  " + f"{mode:8}" + "".join(cell(row[c], 11) for c in columns))


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def evaluate_set(engine: Engine, name: str, items: list[QAItem], args: argparse.Namespace) -> dict[str, float]:
    print(f"\n=== {name}: {len(items)} questions ===")
    outcomes = run_asks(engine, items, args.k)
    set_part = score_sets(engine, [o for o in outcomes if o.item.intent in SET_INTENTS], args.verbose)
    rank_part = score_ranks(engine, [o for o in outcomes if o.item.intent in RANK_INTENTS], args.verbose)
    intent_acc = mean(o.intent == o.item.intent for o in outcomes)
    median_ms = statistics.median(o.ms for o in outcomes)
    print(f"\nintent accuracy {intent_acc:.3f}   median ask {median_ms:.0f} ms")
    search = search_comparison(engine, items)
    return {
        **set_part,
        **rank_part,
        "intent_acc": intent_acc,
        "median_ms": median_ms,
        **{f"{mode} hit@5": row["hit@5"] for mode, row in search.items()},
        **{f"{mode} MRR@10": row["MRR@10"] for mode, row in search.items()},
    }


def verdict(value: float, target: float) -> str:
    if value != value:  # NaN: no question of that kind in the set
        return "n/a"
    return "pass" if value >= target else "FAIL"


def print_summary(results: dict[str, dict[str, float]], titles: dict[str, dict[str, float]] | None) -> None:
    """One table: a column per set, a row per headline figure, with the issue's targets."""
    rows = [
        ("list+count macro recall", "macro_r", TARGETS["list recall"]),
        ("list+count macro precision", "macro_p", TARGETS["list precision"]),
        ("list+count micro recall", "micro_r", None),
        ("list+count micro precision", "micro_p", None),
        ("count exact", "count_exact", None),
        ("count mean |error|", "count_abs_err", None),
        ("semantic hit@5", "semantic_hit5", TARGETS["semantic hit@5"]),
        ("semantic hit@1", "semantic_hit1", None),
        ("fact hit@5", "fact_hit5", None),
        ("compare hit@5", "compare_hit5", None),
        ("fact expected value", "expect_ok", None),
        ("intent accuracy", "intent_acc", None),
        ("search hit@5 dense", "dense hit@5", None),
        ("search hit@5 lexical", "lexical hit@5", None),
        ("search hit@5 hybrid", "hybrid hit@5", None),
        ("search MRR@10 dense", "dense MRR@10", None),
        ("search MRR@10 lexical", "lexical MRR@10", None),
        ("search MRR@10 hybrid", "hybrid MRR@10", None),
        ("median ms per ask", "median_ms", None),
    ]
    names = list(results)
    print("\n=== summary ===")
    print(f"  {'metric':30}" + "".join(f"{n:>12}" for n in names) + "  target")
    for label, key, target in rows:
        cells = "".join(cell(results[n].get(key, float("nan")), 12) for n in names)
        note = (
            f"  >= {target:.2f} " + "/".join(verdict(results[n].get(key, float("nan")), target) for n in names)
            if target
            else ""
        )
        print(f"  {label:30}{cells}{note}")
    if titles:
        for mode, row in titles.items():
            target = TARGETS["title MRR@10"]
            print(
                f"  {'title MRR@10 ' + mode:30}{row['MRR@10']:>12.3f}  >= {target:.2f} {verdict(row['MRR@10'], target)}"
            )
        print(f"  {'title R@1 hybrid':30}{titles['hybrid']['R@1']:>12.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sets = load_sets(args.set)
    engine = load_engine(args.data_dir)
    check_gold(engine, [i for items in sets.values() for i in items])
    results = {name: evaluate_set(engine, name, items, args) for name, items in sets.items()}
    titles = None if args.skip_titles else title_self_retrieval(engine)
    print_summary(results, titles)
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
