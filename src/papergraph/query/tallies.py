"""Rankings of entities by papers: top-N ("the most used datasets") and co-occurrence ("techniques found with
pruning"), counted as ``/entities`` counts them.

The target (``plan.target``) says what is counted: entities, product lines, vendors or hardware types; systems
are ranked within the categories the question asks for (``categories.py``: "deep learning frameworks").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papergraph.graph import cypher
from papergraph.graph.query import GroupBy, NodeMatch, PaperQuery, Tally, TallyQuery
from papergraph.models import EntityType, entity_id
from papergraph.query.answer import among, join, plural, what
from papergraph.query.categories import Category
from papergraph.query.plan import Intent, QueryPlan, Role, Target
from papergraph.query.response import AskResult

if TYPE_CHECKING:
    from papergraph.query.executor import Executor, Run

_TECHNIQUE_CLASS = re.compile(r"\b(techniques?|methods?|approaches|optimi[sz]ations?|strateg(y|ies))\b", re.I)

DEFAULT_TOP = 10


def answer_top(ex: Executor, run: Run) -> AskResult:
    """The entities of the target asked for, by the papers that mention them (within the plan's papers)."""
    asked = ex.categories.asked(run.plan.text or run.plan.question)
    target = _system_target(run, asked)
    within = _within(ex, run)
    exclude = [e.node for e in run.plan.entities(Role.FILTER) if e.type is target.type and e.node is not None]
    exclude += _not_counted(target)
    asked_n = _limit(ex, run, target)
    limit = asked_n or DEFAULT_TOP
    plan = run.plan
    tallies = _counted(ex, run, target, within, exclude, limit)
    categories: list[Category] = []
    if target.type is EntityType.SYSTEM:  # "deep learning frameworks": PyTorch, not Llama
        tallies, categories = _in_categories(tallies, asked)
    tallies, unused = _qualified(tallies, target.qualifier) if not categories else (tallies, None)
    tallies, tied = _with_ties(tallies, asked_n) if asked_n else (tallies[:limit], 0)
    if not tallies and target.by is GroupBy.VENDOR:
        tallies = _vendor_tallies(ex, within, limit)
    noun = " or ".join(c.plural for c in categories) if categories else target.words or target.type.value
    if not tallies:
        text = f"No {noun} found" + (f" in papers that mention {what(plan)}." if within else ".")
        return ex.result(run, text, [], matched=0)
    text = join(_ranking_text(plan, within, noun, tallies, unused), _ties(tallies, asked_n, tied))
    top = _tally_node(tallies[0])
    pool = ex.store.papers_where(
        PaperQuery(all_of=(*(within.all_of if within else ()), (top,)), **_paper_filters(within))
    )
    papers = [ex.paper(run, pid, 0.0) for pid in ex.ordered(run, pool)[: run.k]]
    return ex.result(run, text, papers, matched=len(pool), ranking=tallies)


def _within(ex: Executor, run: Run) -> PaperQuery | None:
    """The papers the ranking counts in: the plan's filters (and topic, and the phrase naming them), or None
    for every paper."""
    plan = run.plan
    query = plan.paper_query()
    if plan.topics:  # "LLM families", "datasets of vision papers": the papers whose text is on the topic
        query = query.model_copy(update={"papers": frozenset(ex.topics(plan, ex.store.papers_where(query)))})
    if plan.phrases:  # "in the test-time scaling papers": those whose title or abstract has the phrase
        named = ex.by_text(run) or set()
        kept = named & query.papers if query.papers is not None else named
        query = query.model_copy(update={"papers": frozenset(kept)})
    return query if query.all_of or query.paper_filters else None


def _counted(
    ex: Executor, run: Run, target: Target, within: PaperQuery | None, exclude: list[NodeMatch], limit: int
) -> list[Tally]:
    """The store's tallies of the target (every one, shown as Cypher with ``limit``), less the ones the target
    does not rank: machine parts, lone models for families, and the named hardware's own line."""
    inc, by = target.include, target.by
    if inc is not None and target.level == "model" and target.type is EntityType.HARDWARE:
        inc = inc.model_copy(update={"level": target.level})
    tally = TallyQuery(type=target.type, within=within, include=inc, exclude=exclude, by=by, limit=limit)
    run.show(cypher.count_entities(tally))
    tallies = ex.store.count_entities(tally.model_copy(update={"limit": None}))
    if by is GroupBy.TYPE and target.type is EntityType.HARDWARE:  # kinds of hardware, not machine parts
        tallies = [t for t in tallies if t.name not in ex.rules.component_types]
    if target.level == "family":  # "LLM families": lines that have members, not a lone model
        tallies = [t for t in tallies if (t.type, t.name) in ex.vocab.families]
    named = [e for e in run.plan.entities(Role.FILTER) if e.type is EntityType.HARDWARE]
    if by is GroupBy.LINE and target.type is EntityType.HARDWARE and named:  # other hardware than named
        tallies = _as_models(ex, tallies, within, inc, exclude)
    return tallies


def _ranking_text(
    plan: QueryPlan, within: PaperQuery | None, noun: str, tallies: list[Tally], unused: str | None
) -> str:
    """The ranking's sentence: "<Noun> used by the most papers: A (3 papers), B (2 papers)." (or "found with")."""
    ranked = ", ".join(f"{t.name} ({plural(t.papers, 'paper')})" for t in tallies)
    if plan.intent is Intent.COOCCURRENCE:
        text = f"{noun[:1].upper() + noun[1:]} most often found with {what(plan)}: {ranked}."
    else:
        scope = among(plan, within)
        text = f"{noun[:1].upper() + noun[1:]} used by the most papers{scope}: {ranked}."
    if unused:
        text += f" (“{unused}” is in none of the names ranked, so it does not narrow the ranking.)"
    return text


def _limit(ex: Executor, run: Run, target: Target) -> int | None:
    """N of a top-N answer when the question says it: the plan's ("top 3"), else a number word right before
    the words of what is ranked ("which two chip vendors", "name the three LLM families": the word is then
    used, not ignored)."""
    plan = run.plan
    head = target.words.split()[0] if target.words.split() else ""
    if plan.limit is not None or not head:
        return plan.limit
    numbers = "|".join(sorted(map(re.escape, ex.rules.numbers), key=len, reverse=True))
    said = re.search(rf"\b(?P<n>\d{{1,2}}|{numbers})\s+(?:[\w'-]+\s+){{0,2}}?{re.escape(head)}", plan.question, re.I)
    if said is None:
        return None
    n = said["n"].casefold()
    value = int(n) if n.isdigit() else ex.rules.numbers.get(n)
    if value:
        run.plan = plan.model_copy(update={"ignored": [w for w in plan.ignored if w.casefold() != n]})
    return value or None


def _with_ties(tallies: list[Tally], limit: int) -> tuple[list[Tally], int]:
    """The first ``limit`` tallies and those tied with the last of them (a cut between equals would pick by
    name); how many ties were added."""
    if len(tallies) <= limit:
        return tallies, 0
    last = tallies[limit - 1].papers
    kept = tallies[:limit] + [t for t in tallies[limit:] if t.papers == last]
    return kept, len(kept) - limit


def _ties(tallies: list[Tally], asked_n: int | None, tied: int) -> str:
    """Ties said: at the N-th place when N was asked ("GPT and Llama tie at 3 papers: 2 are listed, not the 1
    asked for."), else at the top ("GPT and Llama tie for the most, 3 papers each.")."""
    if asked_n is None or not tied:
        if len(tallies) < 2 or tallies[0].papers != tallies[1].papers or (asked_n or 0) == 1:
            return ""
        first = [t.name for t in tallies if t.papers == tallies[0].papers]
        return f"{_and(first)} tie for the most, {plural(tallies[0].papers, 'paper')} each."
    last = tallies[asked_n - 1].papers
    names = [t.name for t in tallies if t.papers == last]
    return f"{_and(names)} tie at {plural(last, 'paper')}: {asked_n + tied} are listed, not the {asked_n} asked for."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _as_models(
    ex: Executor, lines: list[Tally], within: PaperQuery | None, inc: NodeMatch | None, exclude: Sequence[NodeMatch]
) -> list[Tally]:
    """A line counted with the papers of one of its models only is named by that model ("which other GPU
    do Ampere papers name": NVIDIA H100, not the Hopper line); a line several models share stays a line."""
    models = ex.store.count_entities(
        TallyQuery(type=EntityType.HARDWARE, within=within, include=inc, exclude=exclude, limit=None)
    )
    out = []
    for line in lines:
        below = set(ex.vocab.family_closure(EntityType.HARDWARE, line.name))
        members = [m for m in models if m.name != line.name and _str(m.properties.get("family")) in below]
        best = max(members, key=lambda m: m.papers, default=None)
        out.append(best if best is not None and best.papers == line.papers else line)
    return out


def _system_target(run: Run, asked: list[Category]) -> Target:
    """The plan's target; systems when the question asks for a kind of system (``asked``) the planner read as
    a technique ("distributed training *library*": DeepSpeed, not data parallelism). The words a category
    used are no longer reported as ignored."""
    plan = run.plan
    target = plan.target
    assert target is not None  # the planner keeps these intents only with a target
    if not asked:
        return target
    if target.type is EntityType.TECHNIQUE and not _TECHNIQUE_CLASS.search(target.words):
        target = Target(type=EntityType.SYSTEM, by=GroupBy.ENTITY, words=target.words)
        groups = [g for g in plan.groups if g.role is not Role.TARGET]
        run.plan = plan.model_copy(update={"target": target, "groups": groups})
    text = plan.text or plan.question
    consumed = {w.casefold() for c in asked for m in c.question.finditer(text) for w in m[0].split()}
    consumed |= {w.rstrip("s") for w in consumed}
    ignored = [w for w in run.plan.ignored if w.casefold() not in consumed]
    run.plan = run.plan.model_copy(update={"ignored": ignored})
    return target


def _in_categories(tallies: list[Tally], asked: list[Category]) -> tuple[list[Tally], list[Category]]:
    """The systems of the categories the question asks for ("frameworks or training libraries"); all of
    them, and no category, when it asks for none or none of the ranked systems is in one."""
    if not asked:
        return tallies, []
    family = {t.name: t.properties.get("family") for t in tallies}
    kept = [t for t in tallies if any(c.holds(t.name, _str(family[t.name])) for c in asked)]
    return (kept, asked) if kept else (tallies, [])


def _not_counted(target: Target) -> list[NodeMatch]:
    """Nodes a ranking of a class leaves out: the class itself ("GPU", "AMD GPU" are not GPUs one can rank)
    and the family named ("model-compression techniques": its members, not model compression)."""
    inc = target.include
    if inc is None:
        return []
    out = []
    if target.type is EntityType.HARDWARE and target.by in (GroupBy.ENTITY, GroupBy.LINE):
        out.append(NodeMatch(type=target.type, level="class"))
    if inc.family and target.by is not GroupBy.LINE:
        out.append(NodeMatch(type=target.type, ids=(entity_id(target.type, inc.family[0]),)))
    return out


def _vendor_tallies(ex: Executor, within: PaperQuery | None, limit: int) -> list[Tally]:
    """Vendors counted by name when the graph stores none (each vendor's papers as papers_where finds
    them, read once; a question only intersects them with its own papers)."""
    pool = ex.store.papers_where(within) if within is not None else None
    tallies = []
    for vendor, papers in ex.vendor_papers.items():
        n = len(papers if pool is None else papers & pool)
        if n:
            tallies.append(Tally(type=EntityType.HARDWARE, group=GroupBy.VENDOR, name=vendor, papers=n))
    tallies.sort(key=lambda t: (-t.papers, t.name.casefold()))
    return tallies[:limit]


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _paper_filters(query: PaperQuery | None) -> dict[str, object]:
    if query is None:
        return {}
    return {
        "year_min": query.year_min,
        "year_max": query.year_max,
        "authors": query.authors,
        "coauthors": query.coauthors,
        "papers": query.papers,
        "not_proposing": query.not_proposing,
    }


def _tally_node(t: Tally) -> NodeMatch:
    if t.group is GroupBy.LINE:  # the line and everything below it
        return NodeMatch(type=t.type, family=(t.name,))
    if t.id is not None:
        return NodeMatch(type=t.type, ids=(t.id,))
    if t.group is GroupBy.VENDOR:
        return NodeMatch(type=t.type, vendor=t.name)
    if t.group is GroupBy.TYPE:
        return NodeMatch(type=t.type, hw_type=t.name)
    return NodeMatch(type=t.type, family=(t.name,))


def _qualified(tallies: list[Tally], qualifier: str | None) -> tuple[list[Tally], str | None]:
    """The tallies whose name holds the qualifier ("parallelism strategies": pipeline parallelism, ...), and
    the qualifier when no name holds it (then every tally stays, and the answer says so)."""
    if not qualifier:
        return tallies, None
    word = re.compile(rf"\b{re.escape(qualifier.casefold().replace('-', ' ').rstrip('s'))}s?\b")
    named = [t for t in tallies if word.search(t.name.casefold().replace("-", " "))]
    return (named, None) if named else (tallies, qualifier)


__all__ = ["DEFAULT_TOP", "answer_top"]
