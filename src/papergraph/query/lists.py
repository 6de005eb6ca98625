"""Answers that are sets of papers: list, count and trend (papers per year)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papergraph.graph import cypher
from papergraph.graph.query import PaperQuery, TallyQuery
from papergraph.query.answer import join, listing, plural, unknown_note, what
from papergraph.query.facts import facts
from papergraph.query.plan import Intent, Level, Role
from papergraph.query.response import AskResult
from papergraph.query.similarity import fallback, refuse

if TYPE_CHECKING:
    from papergraph.query.executor import Executor, Run

SHOWN_IN_TEXT = 5  # papers or entities named in an answer sentence


def answer_list(ex: Executor, run: Run) -> AskResult:
    """The papers that satisfy the plan (list), or how many do (count)."""
    plan = run.plan
    query = plan.paper_query()
    subject = plan.text_group()
    if (plan.phrases or plan.loose_phrases) and (subject is not None or not query.all_of):
        matched = ex.by_text(run)
        if matched is None and subject is None:
            return refuse(ex, run)
        matched = (matched or set()) | ex.group_papers(subject)
        query = query.model_copy(update={"papers": frozenset(matched)})
    elif plan.phrases:  # a filter most papers meet ("GPU"), narrowed by the question's phrase ("kernels")
        query = _narrowed(ex, run, query)
        plan = run.plan
    if plan.unknown and not query.all_of:
        return fallback(ex, run, unknown_note(plan))
    if not query.all_of and not query.paper_filters:
        return fallback(ex, run, "No hardware, technique, system or dataset of the graph was recognised.")
    ids = ex.ids(run, query, count=plan.intent is Intent.COUNT)
    if not ids:
        why = f"No paper in the corpus mentions {what(plan)}." + _no_years(ex, query)
        return fallback(ex, run, (unknown_note(plan) + " " + why).strip())
    ordered = ex.ordered(run, ids)
    papers = [ex.paper(run, pid, 0.0) for pid in ordered[: run.k]]
    head = f"{plural(len(ids), 'paper')} mention{'s' if len(ids) == 1 else ''} {what(plan)}"
    if plan.intent is Intent.COUNT:
        text = head + _breakdown(ex, run, query) + "."
    else:
        stated = facts(papers, ex.rules)
        names = stated or [p._subject for p in papers]
        text = head + ": " + listing(names[:SHOWN_IN_TEXT], len(ids) - min(len(names), SHOWN_IN_TEXT)) + "."
    return ex.result(run, join(unknown_note(plan), text), papers, matched=len(ids))


def _narrowed(ex: Executor, run: Run, query: PaperQuery) -> PaperQuery:
    """A wide filter's papers that also have the question's text phrase; the filter alone (the phrase dropped
    from the plan) when none has it."""
    narrowed = (ex.by_text(run) or set()) & ex.store.papers_where(query)
    if not narrowed:
        run.plan = run.plan.model_copy(update={"phrases": []})
        return query
    return query.model_copy(update={"papers": frozenset(narrowed)})


def _breakdown(ex: Executor, run: Run, query: PaperQuery) -> str:
    """How a count over a type, family or vendor splits over its nodes (each node counted as /entities does)."""
    broad = [g.entities[0] for g in run.plan.groups if g.role is Role.FILTER and len(g.entities) == 1]
    broad = [e for e in broad if e.level is not Level.MODEL and e.node is not None]
    if len(broad) != 1 or broad[0].node is None:
        return ""
    ref = broad[0]
    tally = TallyQuery(type=ref.type, within=query, include=ref.node, limit=SHOWN_IN_TEXT)
    run.show(cypher.count_entities(tally))
    tallies = ex.store.count_entities(tally)
    if len(tallies) < 2:
        return ""
    return " (counted over " + ", ".join(f"{t.name}: {t.papers}" for t in tallies) + ")"


def _no_years(ex: Executor, query: PaperQuery) -> str:
    if query.year_min is None and query.year_max is None:
        return ""
    if not any(p.year for p in ex.searcher.index.papers.values()):
        return " The papers in this corpus carry no publication year."
    return ""


def answer_trend(ex: Executor, run: Run) -> AskResult:
    """Papers per year that satisfy the plan."""
    plan = run.plan
    query = plan.paper_query()
    if plan.topics:  # "LLM serving papers per year": the papers whose text is on the topic
        query = query.model_copy(update={"papers": frozenset(ex.topics(plan, ex.store.papers_where(query)))})
    elif not query.all_of and not query.paper_filters and (plan.ignored or plan.metric.kinds):
        why = "Nothing the question names selects papers in the graph, so no trend is counted."
        return fallback(ex, run, why)
    run.show(cypher.papers_per_year(query))
    years = ex.store.papers_per_year(query)
    ids = ex.ids(run, query)
    papers = [ex.paper(run, pid, 0.0) for pid in ex.ordered(run, ids)[: run.k]]
    subject = what(plan) if query.all_of or query.paper_filters else "anything"
    if not years:
        why = (
            " The papers in this corpus carry no publication year."
            if not any(p.year for p in ex.searcher.index.papers.values())
            else " None of them has a publication year."
        )
        verb = "mentions" if len(ids) == 1 else "mention"
        text = f"{plural(len(ids), 'paper')} {verb} {subject}, but there is no trend to show.{why}"
        return ex.result(run, text, papers, matched=len(ids))
    series = "; ".join(f"{y.year}: {y.papers}" for y in years)
    undated = len(ids) - sum(y.papers for y in years)
    text = f"Papers that mention {subject}, per year: {series}."
    text += f" {plural(undated, 'paper')} without a year not counted." if undated else ""
    result = ex.result(run, text, papers, matched=len(ids))
    result.trend = years
    return result


__all__ = ["SHOWN_IN_TEXT", "answer_list", "answer_trend"]
