"""QueryPlan -> AskResult: one answer's run state, the reads every answer shares, and dispatch by intent.

Graph-only answers (list, count, top-N, co-occurrence, superlative, trend, fact, compare) never need the
embedding model: their papers are ordered by BM25 within the graph's answer. Only similarity questions, and
answers that fall back to similarity, encode the question; that is what lets the command line answer a
graph question without loading the model.

Where each part lives:

* here: :class:`Run` (what one answer accumulates), :class:`Executor` (the store, the indexes, what is read
  once, and the selection path: a plan's papers, ordered, and the similarity search);
* :mod:`.similarity`: refusals (names no paper has, nothing close), similarity questions, and the fallback to
  similarity when the graph holds no answer;
* :mod:`.lists`: list, count and trend; :mod:`.facts`: facts and comparisons;
* :mod:`.tallies`: top-N and co-occurrence (entities by papers);
* :mod:`.numbers`: superlatives, and which of a paper's numbers a question asks for;
* :mod:`.response`: the response and its ``interpretation``; :mod:`.answer`: the answer's words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from papergraph.config import Settings
from papergraph.embed import Vectors
from papergraph.graph import GraphStore, cypher
from papergraph.graph.query import MetricHit, MetricQuery, NodeMatch, PaperQuery, Tally
from papergraph.models import EntityLink, EntityType, PaperRecord
from papergraph.query import facts, lists, numbers, similarity, tallies
from papergraph.query.answer import format_metric, join
from papergraph.query.categories import system_categories
from papergraph.query.plan import ConstraintGroup, EntityRef, Intent, Level, MatchKind, QueryPlan, Role
from papergraph.query.quantities import QuantityIndex, unit_table
from papergraph.query.response import (
    AskEntity,
    AskPaper,
    AskResult,
    Evidence,
    GraphQuery,
    constraints,
    interpretation,
    read_note,
)
from papergraph.query.rules import QuestionRules
from papergraph.query.search import Searcher, rrf, snippet
from papergraph.query.vocabulary import Vocabulary

log = logging.getLogger(__name__)

SEMANTIC_DEPTH = 3  # candidates per returned paper fetched from each ranking before fusing
ENTITY_PREFERENCE = 0.5  # weight of "papers naming the question's entities" next to similarity (1.0)


@dataclass
class Run:
    """What one answer accumulates while it runs."""

    plan: QueryPlan
    k: int
    queries: list[GraphQuery] = field(default_factory=list)
    similarity: bool = False
    top_similarity: float | None = None
    weak: bool = False
    fallback: bool = False
    notes: list[str] = field(default_factory=list)
    closest: tuple[Vectors, float] | None = None  # the question's vector and its closest abstract's cosine

    def show(self, built: tuple[str, dict[str, object]]) -> None:
        self.queries.append(GraphQuery(cypher=built[0], params=dict(built[1])))


Handler = Callable[["Executor", Run], AskResult]


class Executor:
    """Answers plans from one graph store and one searcher (index, BM25, encoder)."""

    def __init__(
        self, store: GraphStore, searcher: Searcher, rules: QuestionRules, settings: Settings, vocab: Vocabulary
    ) -> None:
        self.store = store
        self.searcher = searcher
        self.rules = rules
        self.settings = settings
        self.vocab = vocab
        self._counts: dict[NodeMatch, int] = {}
        self._quantities: QuantityIndex | None = None
        self._numbers_by_kind: dict[str, list[MetricHit]] | None = None
        self._vendor_papers: dict[str, set[str]] | None = None
        self.units = unit_table()
        self.categories = system_categories()

    def prepare(self) -> None:
        """Read once what answers reuse (every number's words, each vendor's papers), so that no question pays
        for a scan of the whole graph."""
        _ = self.quantities, self.vendor_papers

    def run(self, plan: QueryPlan, k: int) -> AskResult:
        run = Run(plan, k)
        blocked = similarity.blocked(self, run)
        return blocked if blocked is not None else HANDLERS[plan.intent](self, run)

    # --- read once ------------------------------------------------------------------------------------
    @property
    def numbers(self) -> dict[str, list[MetricHit]]:
        """Every stored number by kind, read once (the first question that needs them)."""
        if self._numbers_by_kind is None:
            by_kind: dict[str, list[MetricHit]] = {}
            for h in self.store.metric_values(MetricQuery(limit=None)):
                by_kind.setdefault(h.metric.kind, []).append(h)
            self._numbers_by_kind = by_kind
        return self._numbers_by_kind

    @property
    def quantities(self) -> QuantityIndex:
        """Every stored number's describing words, read once (the first question that needs them)."""
        if self._quantities is None:
            self._quantities = QuantityIndex.build(h for hits in self.numbers.values() for h in hits)
        return self._quantities

    @property
    def vendor_papers(self) -> dict[str, set[str]]:
        """Each hardware vendor the vocabulary knows -> the papers mentioning its hardware (read once)."""
        if self._vendor_papers is None:
            vendors = {s.name for senses in self.vocab.folded.values() for s in senses if s.level is Level.VENDOR}
            self._vendor_papers = {
                v: self.store.papers_where(PaperQuery(all_of=((NodeMatch(type=EntityType.HARDWARE, vendor=v),),)))
                for v in sorted(vendors)
            }
        return self._vendor_papers

    # --- selecting papers -----------------------------------------------------------------------------
    def ids(self, run: Run, query: PaperQuery, count: bool = False) -> set[str]:
        """The papers of a graph query (shown as Cypher), within the question's topics."""
        run.show(cypher.count_papers_where(query) if count else cypher.papers_where(query))
        ids = self.store.papers_where(query)
        return self.topics(run.plan, ids)

    def topics(self, plan: QueryPlan, ids: set[str]) -> set[str]:
        topics = [t for t in self.rules.topics if t.name in plan.topics]
        if not topics:
            return ids
        texts = self.searcher.index.papers
        return {pid for pid in ids if all(t.paper.search(texts[pid].text) for t in topics)}

    def ref_papers(self, ref: EntityRef) -> int:
        """Papers a reference selects on its own (shown in the interpretation)."""
        if ref.node is None:
            return 0
        if ref.node not in self._counts:
            self._counts[ref.node] = len(self.store.papers_where(PaperQuery(all_of=((ref.node,),))))
        return self._counts[ref.node]

    def ordered(self, run: Run, ids: Iterable[str]) -> list[str]:
        """Papers of a graph answer, most relevant first: those the soft references prefer, then BM25, then title."""
        pool = set(ids)
        soft = [e.node for e in run.plan.entities(Role.RANK) if e.node is not None]
        preferred = self.store.papers_where(PaperQuery(all_of=(tuple(soft),))) & pool if soft else set()
        lexical = {h.paper_id: r for r, h in enumerate(self.searcher.lexical.search(run.plan.text, len(pool), pool))}
        titles = self.searcher.index.papers
        return sorted(
            pool, key=lambda p: (p not in preferred, lexical.get(p, len(pool)), titles[p].title.casefold(), p)
        )

    def closest(self, run: Run) -> tuple[Vectors, float]:
        """The question's vector and how close the closest abstract is to it (also kept as ``run.top_similarity``);
        computed once per run."""
        if run.closest is None:
            vector = self.searcher.encoder.encode_query(run.plan.text)
            found = self.searcher.index.search(vector, 1)
            run.closest = (vector, round(found[0].score, 4) if found else 0.0)
        run.top_similarity = run.closest[1]
        return run.closest

    def similar(self, run: Run, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Papers by similarity to the question: dense-led fusion unless it names a system or dataset."""
        plan = run.plan
        run.similarity = True
        k = run.k
        vector, top = self.closest(run)
        run.weak = top < self.settings.weak_similarity
        named = any(
            e.level is Level.MODEL and e.type in (EntityType.SYSTEM, EntityType.DATASET) for e in plan.entities()
        )
        weight = None if named else self.settings.semantic_dense_weight
        base = self.searcher.rank(plan.text, k * SEMANTIC_DEPTH, vector=vector, allowed=allowed, dense_weight=weight)
        narrow = (Level.MODEL, Level.FAMILY)  # a type or a vendor named in passing says little about the topic
        soft = [
            e.node
            for e in plan.entities(Role.RANK, Role.FILTER)
            if e.node is not None and e.level in narrow and e.match in (MatchKind.EXACT, MatchKind.ALIAS)
        ]
        if not soft or allowed is not None:
            return [(pid, score) for pid, score, *_ in base[:k]]
        preferred = self.store.papers_where(PaperQuery(all_of=(tuple(soft),)))
        within = self.searcher.rank(
            plan.text, k * SEMANTIC_DEPTH, vector=vector, allowed=preferred, dense_weight=weight
        )
        rankings = [[pid for pid, *_ in base], [pid for pid, *_ in within]]
        return rrf(rankings, k=self.searcher.rrf_k, weights=(1.0, ENTITY_PREFERENCE))[:k]

    def by_text(self, run: Run) -> set[str] | None:
        """Papers whose text has the question's subject phrase and that are about the question (cosine at least
        ``text_similarity``); None when the question is out of scope (no abstract is close at all)."""
        index = self.vocab.text
        plan = run.plan
        if index is None:
            return set()
        exact = {pid for phrase in plan.phrases for pid in index.papers(phrase)}
        loose = {pid for phrase in plan.loose_phrases for pid in index.papers(phrase)} - exact
        vector, top = self.closest(run)
        if top < self.settings.out_of_scope_similarity and not plan.filters.any:
            return None
        found = exact | loose
        hits = self.searcher.index.search(vector, len(found), allowed=found) if found else []
        return {
            h.paper_id
            for h in hits
            if h.score >= (self.settings.text_similarity if h.paper_id in exact else self.settings.weak_similarity)
        }

    def group_papers(self, group: ConstraintGroup | None) -> set[str]:
        """Papers that mention one of a group's entities (none for no group)."""
        nodes = tuple(e.node for e in group.entities if e.node is not None) if group is not None else ()
        return self.store.papers_where(PaperQuery(all_of=(nodes,))) if nodes else set()

    # --- papers and the result ------------------------------------------------------------------------
    def paper(self, run: Run, pid: str, score: float) -> AskPaper:
        """A paper of the answer: its evidence for the entities asked about and its numbers of the kind asked."""
        record = self.store.paper(pid)
        paper = self.searcher.index.papers[pid]
        plan = run.plan
        refs = [e for e in plan.entities() if e.node is not None]
        evidence = [
            Evidence(type=link.type.value, name=link.name, sentence=link.evidence)
            for link in (record.entities if record else [])
            if link.evidence and any(_link_matches(link, e.node) for e in refs if e.node is not None)
        ]
        metrics = numbers.asked_metrics(self, record, plan) if record else []
        for m in metrics:
            if m.evidence and all(e.sentence != m.evidence for e in evidence):
                evidence.append(Evidence(type="metric", name=format_metric(m, self.rules), sentence=m.evidence))
        result = AskPaper(
            id=pid,
            title=paper.title,
            score=round(score, 6),
            snippet=snippet(paper, plan.text),
            year=paper.year,
            evidence=evidence,
            metrics=metrics,
        )
        result._subject = _subject(record, paper.title)
        return result

    def result(
        self, run: Run, text: str, papers: list[AskPaper], matched: int, ranking: Sequence[Tally] = ()
    ) -> AskResult:
        plan = run.plan
        return AskResult(
            question=plan.question,
            intent=plan.intent,
            answer=join(text, read_note(plan)),
            interpretation=interpretation(run, self.ref_papers),
            entities=[
                AskEntity(type=e.type, name=e.name, surface=e.words) for e in plan.entities() if e.node is not None
            ],
            metric_kinds=list(plan.metric.kinds),
            constraints=constraints(plan),
            matched=matched,
            more=max(0, matched - len(papers)) if plan.intent in (Intent.LIST, Intent.COUNT, Intent.TREND) else 0,
            fallback=run.fallback,
            ranking=list(ranking),
            graph_queries=run.queries,
            count=len(papers),
            papers=papers,
        )


HANDLERS: dict[Intent, Handler] = {
    Intent.LIST: lists.answer_list,
    Intent.COUNT: lists.answer_list,
    Intent.TREND: lists.answer_trend,
    Intent.SEMANTIC: similarity.answer_semantic,
    Intent.FACT: facts.answer_fact,
    Intent.COMPARE: facts.answer_compare,
    Intent.TOP_N: tallies.answer_top,
    Intent.COOCCURRENCE: tallies.answer_top,
    Intent.SUPERLATIVE: numbers.answer_superlative,
}


def _link_matches(link: EntityLink, node: NodeMatch) -> bool:
    """Whether a paper's entity link is one of the nodes a reference selects (by its stored properties)."""
    props = link.properties
    if link.type is not node.type or (node.ids and link.id not in node.ids):
        return False
    if node.family and link.name not in node.family and props.get("family") not in node.family:
        return False
    if node.vendor is not None:
        vendor = props.get("vendor")
        if vendor != node.vendor and not (vendor is None and link.name.startswith(node.vendor + " ")):
            return False
    if node.not_hw_type is not None and props.get("type") == node.not_hw_type:
        return False
    if node.level is not None and props.get("level") != node.level:
        return False
    return node.hw_type is None or props.get("type") == node.hw_type


def _subject(record: PaperRecord | None, title: str) -> str:
    proposed = [e.name for e in record.entities if e.relationship == "PROPOSES"] if record else []
    return proposed[0] if proposed else f"“{title}”"


__all__ = ["Executor", "Handler", "Run"]
