"""Answers that state numbers of named things: facts ("what throughput does X reach?") and comparisons.

A number is credited to who produced it: the system extraction credits it to, else the paper's proposed
system, else the paper (never to every system the paper mentions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import TYPE_CHECKING

from papergraph.graph.query import PaperQuery
from papergraph.models import EntityType, MetricRecord
from papergraph.query.answer import claim, format_metric, join, listing, plural, unknown_note, what
from papergraph.query.numbers import quoted
from papergraph.query.plan import EntityRef, Role
from papergraph.query.response import AskPaper, AskResult
from papergraph.query.rules import QuestionRules
from papergraph.query.similarity import answer_semantic, fallback

if TYPE_CHECKING:
    from papergraph.query.executor import Executor, Run

FACT_NUMBERS = 3  # numbers of the kind asked a fact answer states per paper


def answer_fact(ex: Executor, run: Run) -> AskResult:
    """The numbers the papers of the named things report, of the kind asked, their proposers' papers first."""
    plan = run.plan
    query = plan.paper_query()
    ids = ex.ids(run, query) if query.all_of or query.paper_filters else set()
    if not ids and len(query.all_of) > 1:
        query, ids = _relaxed(ex, run, query)
    if not ids:
        return fallback(ex, run, join(unknown_note(plan), f"No paper in the corpus mentions {what(plan)}."))
    ordered = ex.ordered(run, ids)
    named = [e for e in plan.entities(Role.FILTER) if e.type is EntityType.SYSTEM]
    candidates = [ex.paper(run, pid, 0.0) for pid in ordered[: max(run.k * 3, 30)]]
    candidates.sort(key=lambda p: (not _proposes(p, named), not p.metrics))
    papers = candidates[: run.k]
    stated = facts(papers, ex.rules, per_paper=FACT_NUMBERS)
    text = listing(stated[:3]) + "." + "".join(f" ({note})" for note in run.notes) if stated else ""
    quote = quoted(ex, plan, papers[0], text) if papers else ""  # a number asked that the graph does not store
    if not stated and not quote:  # the papers named state nothing asked: the closest papers may
        kinds = " or ".join(plan.metric.kinds) or "matching"
        verb = "mentions" if len(ids) == 1 else "mention"
        why = f"{plural(len(ids), 'paper')} {verb} {what(plan)}, but none states a {kinds} number."
        return fallback(ex, run, why, seen=ids)
    return ex.result(run, join(text, quote), papers, matched=len(ids))


def _relaxed(ex: Executor, run: Run, query: PaperQuery) -> tuple[PaperQuery, set[str]]:
    """A fact's papers when all its constraints together match none: the most constraints that match
    something, systems kept first (the number belongs to a named system; a dataset or chip named too may
    simply not be in that abstract)."""
    groups = list(query.all_of)
    rank = {EntityType.SYSTEM: 0, EntityType.DATASET: 1, EntityType.HARDWARE: 2, EntityType.TECHNIQUE: 3}
    for size in range(len(groups) - 1, 0, -1):
        subsets = sorted(combinations(groups, size), key=lambda c: sorted(rank[m.type] for g in c for m in g))
        for subset in subsets:
            smaller = query.model_copy(update={"all_of": subset})
            ids = ex.ids(run, smaller)
            if ids:
                dropped = [g for g in groups if g not in subset]
                names = [e.name for e in run.plan.entities(Role.FILTER) if e.node in {m for g in dropped for m in g}]
                run.notes.append("no paper mentions everything named; left out: " + ", ".join(names))
                return smaller, ids
    return query, set()


def answer_compare(ex: Executor, run: Run) -> AskResult:
    """Each side's papers and its own numbers, and the papers that mention both (with their numbers)."""
    plan = run.plan
    base = plan.paper_query()
    sides = plan.entities(Role.COMPARE)
    if len(sides) < 2:
        return answer_semantic(ex, run)
    ids: dict[str, set[str]] = {}
    missing: dict[str, str] = {}
    for side in sides:
        assert side.node is not None  # only known entities are compared
        ids[side.name] = ex.ids(run, base.model_copy(update={"all_of": (*base.all_of, (side.node,))}))
        if not ids[side.name] and base.all_of:  # "which one can also use NVMe storage": a criterion, not a filter
            ids[side.name] = ex.ids(run, base.model_copy(update={"all_of": ((side.node,),)}))
            verb = "it does not mention" if len(ids[side.name]) == 1 else "none mentions"
            missing[side.name] = f"{verb} {what(plan)}" if ids[side.name] else ""
    both = set.intersection(*ids.values()) if ids else set()
    per_side = max(2, run.k // (len(sides) + 1))
    papers: list[AskPaper] = []
    for group, pool in [("both", both), *((name, pool - both) for name, pool in ids.items())]:
        for pid in ex.ordered(run, pool)[: per_side if group != "both" else run.k]:
            paper = ex.paper(run, pid, 0.0)
            paper.group = group
            papers.append(paper)
    summaries = [_side(ex, side, ids[side.name], papers, missing.get(side.name, "")) for side in sides]
    text = " vs. ".join(summaries)
    text += f"; {plural(len(both), 'paper')} mention{'s' if len(both) == 1 else ''} both." if both else "."
    together = facts([p for p in papers if p.group == "both"][:2], ex.rules, per_paper=FACT_NUMBERS)
    if together:  # where the two meet, the numbers are the comparison itself
        text += " Where both appear: " + listing(together) + "."
    matched = len(set().union(*ids.values())) if ids else 0
    return ex.result(run, text, papers[: run.k], matched=matched)


def _side(ex: Executor, side: EntityRef, ids: set[str], papers: Sequence[AskPaper], note: str = "") -> str:
    """'vLLM: 9 papers (e.g. vLLM reaches ...)': numbers only when they are the side's own."""
    own = [claim(p._subject, m, ex.rules) for p in papers if p.id in ids for m in p.metrics if _credited_to(side, p, m)]
    text = f"{side.name}: {plural(len(ids), 'paper')}" + (f", {note}" if note else "")
    return text + (f" (e.g. {'; '.join(own[:2])})" if own else "")


def facts(papers: Iterable[AskPaper], rules: QuestionRules, per_paper: int = 2) -> list[str]:
    """'TeLLMe reaches 25 tokens/s decoding throughput on AMD KV260', one per paper with numbers asked for
    (its first ``per_paper`` numbers)."""
    return [
        claim(p._subject, p.metrics[0], rules) + "".join(f", {format_metric(m, rules)}" for m in p.metrics[1:per_paper])
        for p in papers
        if p.metrics
    ]


def _credited_to(side: EntityRef, paper: AskPaper, m: MetricRecord) -> bool:
    """A number is a side's own: its credited system, the paper's proposed system, or its measured-on chip."""
    if side.type is EntityType.SYSTEM:
        return (m.system or paper._subject) == side.name
    if side.type is EntityType.HARDWARE:
        return m.hardware is not None and (m.hardware == side.name or m.hardware.endswith(" " + side.name))
    return False


def _proposes(paper: AskPaper, named: Sequence[EntityRef]) -> bool:
    return any(paper._subject == e.name for e in named)


__all__ = ["FACT_NUMBERS", "answer_compare", "answer_fact", "facts"]
