"""Superlatives ("the highest tokens/s on an A100"), and which of a paper's numbers a question asks for.

A superlative compares the stored numbers of the kind (or unit, or quantity words) asked, measured on the chip
named when any is, in one dimension (6.9 uW is below 1.11 W), each paper once at its best; a relative number is
the largest gain only when it goes the way the kind improves. Every stored number is read once
(``Executor.numbers``), so a question asks the store only for its papers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papergraph.graph import cypher
from papergraph.graph.query import MetricHit, MetricQuery, NodeMatch, PaperQuery, metric_order
from papergraph.models import EntityType, MetricRecord, PaperRecord
from papergraph.query.answer import RELATIVE_UNITS, among, credited, direction, format_metric, join, unknown_note, what
from papergraph.query.plan import EntityRef, Intent, QueryPlan, Role
from papergraph.query.quantities import NEAR_BEST, asks_number, stated_numbers, values, words
from papergraph.query.response import AskPaper, AskResult, MetricValue

if TYPE_CHECKING:
    from papergraph.query.executor import Executor, Run


def answer_superlative(ex: Executor, run: Run) -> AskResult:
    """The best reported number of the quantity asked, who reports it, and the next two."""
    plan = run.plan
    query = plan.paper_query()
    kinds = plan.metric.kinds
    within = query if query.all_of or query.paper_filters else None
    hits, on = _reported(ex, run, within)
    hits = _on_subject(ex, run, hits)
    hits, scores, phrase = _worded(ex, plan, hits)
    if not hits:
        scope = f" that mentions {what(plan)}" if within else ""
        sought = " or ".join(kinds) or plan.metric.unit or f"“{phrase}”"
        text = f"No paper{scope} reports a {sought} number."
        return ex.result(run, join(unknown_note(plan), text), [], matched=0)
    kind, pool, units = _comparable(ex, plan, hits, scores)
    descending = _descending(ex, plan, kind, units[0])
    run.show(
        cypher.metric_values(
            MetricQuery(kinds=[kind] if kinds else [], within=within, measured_on=on, descending=descending, limit=None)
        )
    )
    best = _best_per_paper(ex, plan, kind, units[0], descending, pool, max(run.k, 3))
    records = {h.paper_id: ex.store.paper(h.paper_id) for h in best}
    top = best[0]
    who = credited(records[top.paper_id], top.metric, top.paper_title)
    text = _superlative_text(ex, run, within, phrase, units, descending, best, records, who)
    papers = [ex.paper(run, pid, 0.0) for pid in dict.fromkeys(h.paper_id for h in best)][: run.k]
    reporting = {h.paper_id for h in hits}
    if len(reporting) == 1:  # a "best" of one paper is a fact about it: its other numbers asked may be in its text
        text = join(text, "It is the only paper reporting one.", quoted(ex, plan, papers[0], text))
    result = ex.result(run, text, papers, matched=len(reporting))
    result.value = MetricValue(
        paper=top.paper_id,
        title=top.paper_title,
        credited_to=who,
        value=_end(top.metric, descending),
        unit=top.metric.unit,
        metric=top.metric.metric,
        hardware=top.metric.hardware,
    )
    return result


def _reported(ex: Executor, run: Run, within: PaperQuery | None) -> tuple[list[MetricHit], NodeMatch | None]:
    """The stored numbers of the kinds (or unit) asked, measured on the chip named when any is, and that chip's
    node; a chip the question compares against ("speedup over a GPU") is the baseline, not where it ran."""
    plan = run.plan
    kinds = plan.metric.kinds
    hardware = [e for e in plan.entities(Role.FILTER) if e.type is EntityType.HARDWARE and e.node is not None]
    against = [e for e in hardware if _compared_against(ex, plan, e)]  # "speedup over a GPU": the baseline
    hardware = [e for e in hardware if e not in against]
    on = hardware[0].node if hardware else None
    hits = _numbers(ex, plan, kinds, within, plan.metric.unit, on)
    if against:
        hits = _versus(hits, against)
    if not hits and on is not None:
        run.notes.append(f"no number is tied to {hardware[0].name} itself; these come from papers that mention it")
        on = None
        hits = _numbers(ex, plan, kinds, within, plan.metric.unit, on)
        hits = _versus(hits, against) if against else hits
    return hits, on


def _on_subject(ex: Executor, run: Run, hits: list[MetricHit]) -> list[MetricHit]:
    """The numbers of papers whose text has the question's subject phrase ("for LLM training", "edge object
    detector"), when some of them report one; else all of them."""
    phrases = run.plan.phrases
    if not phrases:
        return hits
    papers = ex.by_text(run) or set()
    kept = [h for h in hits if h.paper_id in papers]
    if kept and not run.plan.entities(Role.FILTER):  # else the scope says it ("among papers that mention ...")
        run.notes.append("among papers whose text has " + " or ".join(f"“{p}”" for p in phrases))
    return kept or hits


def _worded(
    ex: Executor, plan: QueryPlan, hits: list[MetricHit]
) -> tuple[list[MetricHit], dict[str, float], str | None]:
    """The numbers whose own words say the quantity asked, their scores by metric id (only for a quantity no
    kind names), and that quantity's phrase."""
    kinds = plan.metric.kinds
    scores: dict[str, float] = {}
    named = ex.units.dimensions_named(plan.metric.phrase or "")  # "frame rate": never tokens/s
    hits = [h for h in hits if ex.units.answers(h.metric.unit, named)]
    phrase = plan.metric.phrase if not kinds and not plan.metric.unit else None
    if phrase:  # a quantity no kind names ("context length", "MFU"): the numbers whose own words say it
        about = ex.quantities.about(hits, asked(ex, plan, phrase))
        hits = [h for h, _ in about]
        scores = {h.metric.id: score for h, score in about}
    elif plan.metric.phrase:  # "the highest ImageNet top-1 accuracy": of the kind, those that say the rest
        about = ex.quantities.about(hits, _beyond_kind(ex, plan, plan.metric.phrase))
        hits = [h for h, _ in about] or hits
    else:  # no quantity named: of the kind, those whose words say most of the question ("interconnect cost")
        about = ex.quantities.about(hits, asked(ex, plan))
        hits = [h for h, _ in about] or hits
    return hits, scores, phrase


def _comparable(
    ex: Executor, plan: QueryPlan, hits: list[MetricHit], scores: dict[str, float]
) -> tuple[str, list[MetricHit], list[str]]:
    """The kind compared, the numbers that compete (one kind, one dimension, levels unless a change is asked),
    and their units, sorted."""
    kinds = plan.metric.kinds
    # the first kind asked that has numbers; a question naming only a unit ("the highest TFLOPS") or a
    # quantity ("the longest context length") compares every number in it, whatever its kind
    kind = next((k for k in kinds if any(h.metric.kind == k for h in hits)), hits[0].metric.kind)
    pool = [h for h in hits if h.metric.kind == kind] if kinds else hits
    dimension = _dimension(ex, plan, pool, scores)
    pool = [h for h in pool if ex.units.dimension(h.metric.unit) == dimension]
    if not _asks_change(ex, plan):  # "the highest MFU" is a level: "raises MFU by 90%" does not compete
        pool = [h for h in pool if h.metric.unit not in RELATIVE_UNITS or direction(h.metric, ex.rules) is None] or pool
    units = sorted({h.metric.unit for h in pool})
    kind = pool[0].metric.kind if not kinds else kind
    return kind, pool, units


def _best_per_paper(
    ex: Executor, plan: QueryPlan, kind: str, unit: str, descending: bool, pool: list[MetricHit], n: int
) -> list[MetricHit]:
    """The top ``n`` numbers in rank order, each paper once at its best."""
    pool.sort(key=lambda h: _rank_key(ex, h, descending))
    best = _gains(ex, kind, unit, descending, pool)
    best = _about(best, [e for e in plan.entities(Role.FILTER) if e.type is EntityType.DATASET])
    firsts: dict[str, MetricHit] = {}
    for h in best:  # each paper once, at its best
        firsts.setdefault(h.paper_id, h)
    return list(firsts.values())[:n]


def _superlative_text(
    ex: Executor,
    run: Run,
    within: PaperQuery | None,
    phrase: str | None,
    units: list[str],
    descending: bool,
    best: list[MetricHit],
    records: dict[str, PaperRecord | None],
    who: str,
) -> str:
    """The answer's sentence: "The highest <quantity> in <unit>: <number>, by <who>. Next: ...", with notes."""
    top = best[0]
    end = "highest" if descending else "lowest"
    scope = among(run.plan, within)
    quantity = phrase or top.metric.metric or top.metric.kind
    across = f" in {units[0]}" if len(units) == 1 else f" (compared across {', '.join(units)})"
    text = f"The {end} {quantity}{across}{scope}: {format_metric(top.metric, ex.rules)}, by {who}"
    others = [
        f"{format_metric(h.metric, ex.rules)} by {credited(records[h.paper_id], h.metric, h.paper_title)}"
        for h in best[1:3]
    ]
    text += (". Next: " + "; ".join(others) if others else "") + "."
    if run.notes:
        text += " (" + "; ".join(run.notes) + ")"
    return text


def _beyond_kind(ex: Executor, plan: QueryPlan, phrase: str) -> set[str]:
    """The names in a quantity beyond its kind: words with a capital or a digit that are not the kind's own
    ("ImageNet top-1 accuracy" -> imagenet, top-1; "lowest power draw", "largest throughput gain" -> none)."""
    general = [p for _, p in ex.rules.metric_words] + [p for _, p in ex.rules.directions]
    named = " ".join(w for w in phrase.split() if w != w.lower() or any(c.isdigit() for c in w))
    return {w for w in asked(ex, plan, named) if not any(p.fullmatch(w) for p in general)}


def _asks_change(ex: Executor, plan: QueryPlan) -> bool:
    """Whether a superlative asks for a change (a gain over something, a speedup, a cut), not a level."""
    return ex.rules.relative_words.search(plan.text or plan.question) is not None or _cut(ex, plan)


def _cut(ex: Executor, plan: QueryPlan) -> bool:
    """Whether a superlative asks for the largest cut of a quantity where lower is better ("which design cuts
    the interconnect cost the most", "reduces energy the most"): a change, not the lowest level."""
    kinds = plan.metric.kinds
    if not kinds or any(ex.rules.better.get(k, "max") != "min" for k in kinds):
        return False
    decrease = next((p for d, p in ex.rules.directions if d == "decrease"), None)
    return decrease is not None and decrease.search(plan.text or plan.question) is not None


def _compared_against(ex: Executor, plan: QueryPlan, ref: EntityRef) -> bool:
    """Whether the question names this chip as what a number is compared against ("speedup over a GPU",
    "faster than the A100"), not where it was measured."""
    text = plan.text or plan.question
    at = text.find(ref.words)
    return at > 0 and ex.rules.baseline_before.search(text[:at]) is not None


def _rank_key(ex: Executor, hit: MetricHit, descending: bool) -> tuple[float, str, str]:
    """Best first by the value in its dimension's base unit (6.9 uW before 1.11 W), a range by the end
    asked for ("41-137x" is up to 137x), then paper and id."""
    value = ex.units.base(_end(hit.metric, descending), hit.metric.unit)
    return (-value if descending else value, hit.paper_id, hit.metric.id)


def _dimension(ex: Executor, plan: QueryPlan, hits: Sequence[MetricHit], scores: dict[str, float]) -> str:
    """What the compared numbers measure: the unit asked for's dimension; else relative (x, %) when the
    question asks for a gain over something or a cut ("cuts the interconnect cost the most"), absolute
    otherwise; then the dimension whose numbers best match the quantity named, then the one most numbers
    are in."""
    if plan.metric.unit:
        return ex.units.dimension(plan.metric.unit)
    relative = _asks_change(ex, plan)
    best: dict[str, float] = {}
    count: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    for h in hits:
        dim = ex.units.dimension(h.metric.unit)
        count[dim] += 1
        changes[dim] += _is_change(h.metric)
        best[dim] = max(best.get(dim, 0.0), scores.get(h.metric.id, 0.0))
    return min(count, key=lambda d: ((2 * changes[d] > count[d]) != relative, -best[d], -count[d], d))


def quoted(ex: Executor, plan: QueryPlan, paper: AskPaper, said: str = "", least: int = 1) -> str:
    """ "The abstract of FemtoDet says: “…”": the paper's sentence that states a number and shares the most words
    with the question (at least ``least``), when it states a number the answer has not said yet (``said``).
    Numbers the graph does not store ("identified 32 elements", "up to 130m") are answered from the text."""
    question = {w for w in words(plan.text or plan.question) if w not in ex.rules.asking_words}
    found = stated_numbers(ex.searcher.index.papers[paper.id].text, question)
    if found is None or len(found.shared) < least or values(found.sentence) <= values(said):
        return ""
    sentence = found.sentence if found.sentence.endswith((".", "!", "?")) else found.sentence + "."
    return f"The abstract of {paper._subject} says: “{sentence}”"


def asked(ex: Executor, plan: QueryPlan, text: str | None = None) -> set[str]:
    """The words of a question (or of its quantity phrase) that may describe a number: not function words,
    not the vocabulary of asking, not the names of entities it filters on."""
    drop = ex.rules.asking_words
    if text is None:
        text = plan.text or plan.question
        named = [words(e.words) for e in (*plan.entities(), *plan.unknown)]
        drop = drop.union(*named)
    return {w for w in words(text) if w not in drop}


def asked_metrics(ex: Executor, record: PaperRecord, plan: QueryPlan) -> list[MetricRecord]:
    """The paper's numbers the question asks about, best first. Of the kinds or unit asked: those in the
    unit asked, then those on the chip asked about, then those whose own words match the question's; a fact adds
    the numbers whose words say as much of the question (another quantity it names). For a
    fact or comparison naming no kind (or a similarity question asking for a number: "what fraction of
    queries ..."), the numbers whose own words match the question's quantity words."""
    kinds, unit = plan.metric.kinds, plan.metric.unit
    question = asked(ex, plan)
    chips = [e for e in plan.entities(Role.FILTER) if e.type is EntityType.HARDWARE]
    found = [m for m in record.metrics if m.kind in kinds or (unit is not None and m.unit == unit)]
    by_words = plan.intent in (Intent.FACT, Intent.COMPARE) or (
        plan.intent is Intent.SEMANTIC and asks_number(plan.text or plan.question)
    )
    named = {m.id for m in found}
    if found and plan.intent is Intent.FACT:  # and the other quantities it names ("power draw and frame rate")
        scores = {m.id: ex.quantities.score(m, question) for m in record.metrics}
        least = NEAR_BEST * max(scores.values())
        found += [m for m in record.metrics if m.id not in named and scores[m.id] > 0 and scores[m.id] >= least]
    elif found:  # a unit asked for ("speedup": x) is a number of that kind, whatever kind it was given
        scores = {m.id: ex.quantities.score(m, question) for m in found}
    elif by_words:  # no kind named, or none of the paper's numbers is of the kinds named ("per-watt" study)
        scored = {m.id: ex.quantities.score(m, question) for m in record.metrics}
        best = max(scored.values(), default=0.0)
        found = [m for m in record.metrics if best > 0 and scored[m.id] >= NEAR_BEST * best]
        scores = scored
    else:
        return []
    found.sort(
        key=lambda m: (
            unit is not None and m.unit != unit,
            bool(named) and m.id not in named,
            not _measured_on(m, chips),
            -scores[m.id],
        )
    )
    seen: set[tuple[str, float, str]] = set()
    out = []
    for m in found:  # the title and the abstract often state the same number
        if (m.metric.casefold(), m.value, m.unit) not in seen:
            seen.add((m.metric.casefold(), m.value, m.unit))
            out.append(m)
    return out


def _numbers(
    ex: Executor,
    plan: QueryPlan,
    kinds: Sequence[str],
    within: PaperQuery | None,
    unit: str | None,
    on: NodeMatch | None,
    descending: bool = True,
) -> list[MetricHit]:
    """A superlative's candidates: numbers measured on the chip asked about; when none is, the numbers tied
    to no chip in papers that mention it (``within`` holds the chip). Papers outside the question's topics
    are left out; a unit asked for keeps every unit of its dimension ("watts": uW to kW)."""
    if on is None:  # every stored number was read once at load: only the papers are asked of the store
        hits = _stored_numbers(ex, kinds, within, descending)
    else:
        hits = ex.store.metric_values(
            MetricQuery(kinds=kinds, within=within, measured_on=on, descending=descending, limit=None)
        )
    hits = _on_topic(ex, plan, _in_dimension(ex, hits, unit))
    if on is not None and not hits:
        hits = _stored_numbers(ex, kinds, within, descending)
        hits = _on_topic(ex, plan, [h for h in _in_dimension(ex, hits, unit) if h.metric.hardware is None])
    return hits


def _stored_numbers(ex: Executor, kinds: Sequence[str], within: PaperQuery | None, descending: bool) -> list[MetricHit]:
    """What ``store.metric_values`` returns for ``kinds`` and ``within``, from the numbers read at load, by kind."""
    pool = ex.store.papers_where(within) if within is not None else None
    numbers = ex.numbers
    found = [h for k in (kinds or numbers) for h in numbers.get(k, ()) if pool is None or h.paper_id in pool]
    return sorted(found, key=lambda h: metric_order(h, descending))


def _in_dimension(ex: Executor, hits: list[MetricHit], unit: str | None) -> list[MetricHit]:
    if unit is None:
        return hits
    dimension = ex.units.dimension(unit)
    return [h for h in hits if ex.units.dimension(h.metric.unit) == dimension]


def _gains(ex: Executor, kind: str, unit: str, descending: bool, hits: list[MetricHit]) -> list[MetricHit]:
    """The largest relative number is the largest gain: a cut for kinds where lower is better (a memory
    saving, an energy reduction), a rise for the others; a number going the other way ("raises memory
    footprint by 90%") is a cost, not a candidate. Numbers whose direction is unknown stay."""
    if not descending or unit not in RELATIVE_UNITS:
        return hits
    want = "decrease" if ex.rules.better.get(kind, "max") == "min" else "increase"
    kept = [h for h in hits if direction(h.metric, ex.rules) in (want, None)]
    return kept or hits


def _on_topic(ex: Executor, plan: QueryPlan, hits: list[MetricHit]) -> list[MetricHit]:
    if not plan.topics:
        return hits
    papers = ex.topics(plan, {h.paper_id for h in hits})
    return [h for h in hits if h.paper_id in papers]


def _descending(ex: Executor, plan: QueryPlan, kind: str, unit: str) -> bool:
    """Which end a superlative wants: 'highest'/'lowest' as said; 'best' per kind (improvements: highest)."""
    best = plan.metric.best or "better"
    if best in ("max", "min"):
        return best == "max"
    higher = unit in RELATIVE_UNITS or ex.rules.better.get(kind, "max") == "max"
    return higher if best == "better" else not higher


def _versus(hits: list[MetricHit], against: Sequence[EntityRef]) -> list[MetricHit]:
    """Numbers compared against the chips named (their stored baseline), when any is; else every number, less
    those measured on the chips themselves (a number on a GPU is not a gain over a GPU)."""
    names = [e.name.casefold() for e in against]

    def matches(chip: str | None) -> bool:
        return chip is not None and any(n in chip.casefold() for n in names)

    compared = [h for h in hits if matches(h.metric.baseline_hardware)]
    return compared or [h for h in hits if not matches(h.metric.hardware)]


def _is_change(m: MetricRecord) -> bool:
    """A relative number that is a change ("cuts latency by 35%", "2x speedup"), not a level that happens to
    be a share ("87% top-1 accuracy", "55.2% utilization")."""
    return m.unit in RELATIVE_UNITS and m.kind not in ("accuracy", "accuracy-loss", "other", "scale")


def _end(m: MetricRecord, highest: bool) -> float:
    """The end of a reported range a superlative compares: its top for the highest, else its bottom."""
    return m.value_max if highest and m.value_max is not None else m.value


def _measured_on(m: MetricRecord, chips: Sequence[EntityRef]) -> bool:
    where = (m.hardware or "").casefold()
    return bool(where) and any(c.name.casefold() in where or where in c.name.casefold() for c in chips)


def _about(hits: Sequence[MetricHit], datasets: Sequence[EntityRef]) -> list[MetricHit]:
    """Numbers whose sentence names the dataset asked about ("ImageNet top-1"), when any does."""
    names = {w.casefold() for e in datasets for w in (e.name, e.words)}
    named = [h for h in hits if any(n in h.metric.evidence.casefold() for n in names)]
    return named or list(hits)


__all__ = ["answer_superlative", "asked", "asked_metrics", "quoted"]
