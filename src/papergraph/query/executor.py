"""QueryPlan -> AskResult: one handler per intent, every graph read through the store's question primitives.

Graph-only answers (list, count, top-N, co-occurrence, superlative, trend, fact, compare) never need the
embedding model: their papers are ordered by BM25 within the graph's answer. Only similarity questions, and
answers that fall back to similarity, encode the question; that is what lets the command line answer a
graph question without loading the model.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from papergraph.config import Settings
from papergraph.embed import Vectors
from papergraph.graph import GraphStore, cypher
from papergraph.graph.query import GroupBy, MetricHit, NodeMatch, PaperQuery, Tally, metric_order
from papergraph.models import EntityLink, EntityType, MetricRecord, PaperRecord, entity_id
from papergraph.query.answer import (
    RELATIVE_UNITS,
    amount,
    claim,
    credited,
    describe,
    direction,
    format_metric,
    listing,
    number,
    plural,
)
from papergraph.query.categories import Category, system_categories
from papergraph.query.plan import (
    Confidence,
    ConstraintGroup,
    EntityRef,
    Intent,
    Level,
    MatchKind,
    QueryPlan,
    Role,
    Target,
)
from papergraph.query.quantities import NEAR_BEST, QuantityIndex, asks_number, unit_table, window, words
from papergraph.query.response import (
    AskEntity,
    AskPaper,
    AskResult,
    Evidence,
    GraphQuery,
    Interpretation,
    MetricValue,
    RecognisedEntity,
)
from papergraph.query.rules import QuestionRules
from papergraph.query.search import Searcher, rrf, snippet
from papergraph.query.vocabulary import Vocabulary

log = logging.getLogger(__name__)

_TECHNIQUE_CLASS = re.compile(r"\b(techniques?|methods?|approaches|optimi[sz]ations?|strateg(y|ies))\b", re.I)

DEFAULT_TOP = 10
SEMANTIC_DEPTH = 3  # candidates per returned paper fetched from each ranking before fusing
SHOWN_IN_TEXT = 5  # papers or entities named in an answer sentence
ENTITY_PREFERENCE = 0.5  # weight of "papers naming the question's entities" next to similarity (1.0)
FACT_NUMBERS = 3  # numbers of the kind asked a fact answer states per paper
STATED_WORDS = 2  # question words a similarity answer's number must share with its sentence to be stated
FALLBACK_PAPERS = 10  # a similarity fallback is a pointer, not an answer set: whatever k says


@dataclass
class _Run:
    """What one answer accumulates while it runs."""

    plan: QueryPlan
    k: int
    queries: list[GraphQuery] = field(default_factory=list)
    similarity: bool = False
    top_similarity: float | None = None
    weak: bool = False
    fallback: bool = False
    notes: list[str] = field(default_factory=list)

    def show(self, built: tuple[str, dict[str, object]]) -> None:
        self.queries.append(GraphQuery(cypher=built[0], params=dict(built[1])))


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
        run = _Run(plan, k)
        handlers: dict[Intent, Callable[[_Run], AskResult]] = {
            Intent.LIST: self._list,
            Intent.COUNT: self._list,
            Intent.FACT: self._fact,
            Intent.COMPARE: self._compare,
            Intent.TOP_N: self._top,
            Intent.COOCCURRENCE: self._top,
            Intent.SUPERLATIVE: self._superlative,
            Intent.TREND: self._trend,
            Intent.SEMANTIC: self._semantic,
        }
        blocked = self._unanswerable(run) or self._unanchored(run) or self._unsure(run)
        return blocked if blocked is not None else handlers[plan.intent](run)

    # --- shared steps ---------------------------------------------------------------------------------
    def _unanswerable(self, run: _Run) -> AskResult | None:
        """Filters the corpus cannot satisfy (an unknown author, years the papers do not carry)."""
        f = run.plan.filters
        if f.author_words and not f.authors:
            why = (
                f"No paper in the corpus lists an author matching “{f.author_words}”."
                if self.vocab.authors
                else f"The papers in this corpus carry no author names, so “by {f.author_words}” cannot be answered."
            )
            return self._result(run, why, [], matched=0)
        unknown = [e for e in run.plan.unknown if not self._in_text(e.words)]
        anchored = run.plan.entities() or run.plan.topics or f.any
        named = [e for e in unknown if e.match is not MatchKind.UNSEEN or run.plan.intent is not Intent.SEMANTIC]
        if named and not anchored:  # (a capitalised word alone in a similarity question may be a paraphrase's)
            return self._refuse(run)  # it names only things no abstract mentions: "the Cerebras wafer-scale engine"
        if any(self._required(run.plan, e) for e in unknown):
            return self._refuse(run)  # "LLMs trained on the Aurora supercomputer": no paper has the subject
        return None

    @staticmethod
    def _required(plan: QueryPlan, ref: EntityRef) -> bool:
        """An unknown name the answer cannot do without: a side of a comparison, or in a list, count or fact
        the only thing of its type named (not beside a known one: "H200 or A100", "Cerebras chips or phones")."""
        if plan.intent is Intent.COMPARE:
            return True
        if plan.intent is Intent.SEMANTIC:  # "How does the Cerebras engine compare with GPU clusters?": its subject
            known = plan.entities()
            return bool(known) and all(ref.start < e.start for e in known)
        if plan.intent not in (Intent.LIST, Intent.COUNT, Intent.FACT, Intent.TREND):
            return False
        return not any(e.type is ref.type for e in plan.entities())

    def _in_text(self, words: str) -> bool:
        """Whether the abstracts use a name word of these, at a word's start ("RTX" of "GeForce RTX graphics
        cards"): the graph may lack a name the text has. Name words have a capital or a digit, else all count."""
        parts = re.findall(r"[^\W_]+", words)
        names = [w for w in parts if w != w.lower() or any(c.isdigit() for c in w)] or parts
        stems = [w.removesuffix("s") if len(w) > 3 else w for w in names]  # "IPUs" -> IPU, "YOLO" in "YOLOv8"
        return any(self.vocab.starts_a_word(s) for s in stems)  # a sorted word list, built once

    def _ids(self, run: _Run, query: PaperQuery, count: bool = False) -> set[str]:
        run.show(cypher.count_papers_where(query) if count else cypher.papers_where(query))
        ids = self.store.papers_where(query)
        return self._topics(run.plan, ids)

    def _topics(self, plan: QueryPlan, ids: set[str]) -> set[str]:
        topics = [t for t in self.rules.topics if t.name in plan.topics]
        if not topics:
            return ids
        texts = self.searcher.index.papers
        return {pid for pid in ids if all(t.paper.search(texts[pid].text) for t in topics)}

    def _ref_papers(self, ref: EntityRef) -> int:
        """Papers a reference selects on its own (shown in the interpretation)."""
        if ref.node is None:
            return 0
        if ref.node not in self._counts:
            self._counts[ref.node] = len(self.store.papers_where(PaperQuery(all_of=((ref.node,),))))
        return self._counts[ref.node]

    def _ordered(self, run: _Run, ids: Iterable[str]) -> list[str]:
        """Papers of a graph answer, most relevant first: those the soft references prefer, then BM25, then title."""
        pool = set(ids)
        soft = [e.node for e in run.plan.entities(Role.RANK) if e.node is not None]
        preferred = self.store.papers_where(PaperQuery(all_of=(tuple(soft),))) & pool if soft else set()
        lexical = {h.paper_id: r for r, h in enumerate(self.searcher.lexical.search(run.plan.text, len(pool), pool))}
        titles = self.searcher.index.papers
        return sorted(
            pool, key=lambda p: (p not in preferred, lexical.get(p, len(pool)), titles[p].title.casefold(), p)
        )

    def _closest(self, run: _Run) -> tuple[Vectors, float]:
        """The question's vector and how close the closest abstract is to it (also kept as ``run.top_similarity``)."""
        vector = self.searcher.encoder.encode_query(run.plan.text)
        closest = self.searcher.index.search(vector, 1)
        run.top_similarity = round(closest[0].score, 4) if closest else 0.0
        return vector, run.top_similarity

    def _similar(self, run: _Run, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Papers by similarity to the question: dense-led fusion unless it names a system or dataset."""
        plan = run.plan
        run.similarity = True
        k = run.k
        vector, top = self._closest(run)
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

    def _by_text(self, run: _Run) -> set[str] | None:
        """Papers whose text has the question's subject phrase and that are about the question (cosine at least
        ``text_similarity``); None when the question is out of scope (no abstract is close at all)."""
        index = self.vocab.text
        plan = run.plan
        if index is None:
            return set()
        exact = {pid for phrase in plan.phrases for pid in index.papers(phrase)}
        loose = {pid for phrase in plan.loose_phrases for pid in index.papers(phrase)} - exact
        vector, top = self._closest(run)
        if top < self.settings.out_of_scope_similarity and not plan.filters.any:
            return None
        found = exact | loose
        hits = self.searcher.index.search(vector, len(found), allowed=found) if found else []
        return {
            h.paper_id
            for h in hits
            if h.score >= (self.settings.text_similarity if h.paper_id in exact else self.settings.weak_similarity)
        }

    def _group_papers(self, group: ConstraintGroup | None) -> set[str]:
        """Papers that mention one of a group's entities (none for no group)."""
        nodes = tuple(e.node for e in group.entities if e.node is not None) if group is not None else ()
        return self.store.papers_where(PaperQuery(all_of=(nodes,))) if nodes else set()

    def _out_of_scope(self, run: _Run, *, despite_entities: bool = False) -> bool:
        """No abstract is close to the question, or only middling close while most of its words are foreign to the
        corpus ("a feeding schedule for a sourdough starter"), and it names nothing of the graph (or, for a
        similarity question, whatever it names: "the statue of Zeus" is not about the Zeus paper)."""
        plan = run.plan
        named = bool(plan.entities() or plan.unknown) and not despite_entities
        if named or plan.filters.any or run.top_similarity is None:
            return False
        s = self.settings
        foreign = (
            plan.foreign >= s.out_of_scope_foreign_share and run.top_similarity < s.out_of_scope_foreign_similarity
        )
        return run.top_similarity < s.out_of_scope_similarity or foreign

    def _unanchored(self, run: _Run) -> AskResult | None:
        """A fact, comparison or superlative that names nothing: refused when nothing in the corpus is close."""
        plan = run.plan
        graph_free = plan.intent in (Intent.FACT, Intent.COMPARE, Intent.SUPERLATIVE)
        if not graph_free or plan.entities() or plan.unknown or plan.filters.any or plan.metric.unit:
            return None  # a unit ("tokens/s") anchors a superlative in the corpus's numbers
        self._similar(run)
        run.similarity = False  # the answer itself comes from the graph
        return self._refuse(run) if self._out_of_scope(run) else None

    def _unsure(self, run: _Run) -> AskResult | None:
        """A question no cue rule read (its intent came from the example bank alone) is answered only when
        some abstract is close to it, as a similarity question is: "How venomous is the black mamba?" names
        Mamba, but is not about it."""
        plan = run.plan
        if plan.intent_reading.source not in ("examples", "default") or plan.filters.any:
            return None
        self._closest(run)
        return self._refuse(run) if self._out_of_scope(run, despite_entities=True) else None

    def _fallback(self, run: _Run, why: str) -> AskResult:
        """No graph answer: rank by similarity, say so; nothing at all when the question is out of scope."""
        ranked = self._similar(run)
        if self._out_of_scope(run):
            return self._refuse(run)
        run.fallback = True
        papers = [self._paper(run, pid, score) for pid, score in ranked[:FALLBACK_PAPERS]]
        text = f"{why} Showing the {plural(len(papers), 'most similar paper')} instead"
        text += "; the matches are weak." if run.weak else "."
        return self._result(run, text, papers, matched=0)

    def _refuse(self, run: _Run) -> AskResult:
        run.plan = run.plan.model_copy(update={"intent": Intent.OUT_OF_SCOPE})
        named = ", ".join(e.name for e in run.plan.entities())
        missing = " or ".join(dict.fromkeys(e.name for e in run.plan.unknown))
        text = "Nothing in the corpus matches this question: "
        if missing and (not named or run.top_similarity is None):
            return self._result(run, text + f"no paper mentions {missing}.", [], matched=0)
        if named:
            text += f"it mentions {named}, but "
        else:
            text += "it names no hardware, technique, system or dataset, and "
        text += f"no abstract is close to it (best similarity {run.top_similarity:.2f})."
        return self._result(run, text, [], matched=0)

    def _unknown_note(self, plan: QueryPlan) -> str:
        if not plan.unknown:
            return ""
        names = " or ".join(dict.fromkeys(e.name for e in plan.unknown))
        return f"No paper in the corpus mentions {names}."

    def _what(self, run: _Run, roles: tuple[Role, ...] = (Role.FILTER,)) -> str:
        """ "quantization and FPGA hardware (about language models), by Ann Smith, published in 2024"."""
        plan = run.plan
        parts = [describe(g.entities) for g in plan.groups if g.role in roles and not g.text]
        subject = plan.text_group()
        if subject is not None and plan.intent is not Intent.OUT_OF_SCOPE:  # entities or paper-text phrases
            words = [f"“{p}”" for p in [*plan.phrases, *plan.loose_phrases]]
            parts.insert(0, " or ".join(filter(None, [describe(subject.entities), *words])))
        elif not parts and plan.phrases:  # the subject matched in the paper text
            parts = [" or ".join(f"“{p}”" for p in plan.phrases) + " in their title or abstract"]
        text = " and ".join(parts) if parts else "the question's terms"
        text += "".join(f" (about {t})" for t in plan.topics)
        f = plan.filters
        if f.authors:
            text += ", by " + " or ".join(f.authors) + "".join(f" with {c}" for c in f.coauthors)
        if f.year_min is not None or f.year_max is not None:
            text += ", " + _years(f.year_min, f.year_max)
        return text

    def _among(self, run: _Run, within: PaperQuery | None) -> str:
        """ " among papers that mention pruning (about language models)", " among papers about vision models"."""
        if within is None:
            return ""
        if within.all_of or within.year_min is not None or within.year_max is not None or within.authors:
            return f" among papers that mention {self._what(run)}"
        return " among papers about " + " and ".join(run.plan.topics) if run.plan.topics else ""

    # --- list and count -------------------------------------------------------------------------------
    def _list(self, run: _Run) -> AskResult:
        plan = run.plan
        query = plan.paper_query()
        subject = plan.text_group()
        if (plan.phrases or plan.loose_phrases) and (subject is not None or not query.all_of):
            matched = self._by_text(run)
            if matched is None and subject is None:
                return self._refuse(run)
            matched = (matched or set()) | self._group_papers(subject)
            query = query.model_copy(update={"papers": frozenset(matched)})
        if plan.unknown and not query.all_of:
            return self._fallback(run, self._unknown_note(plan))
        if not query.all_of and not query.paper_filters:
            return self._fallback(run, "No hardware, technique, system or dataset of the graph was recognised.")
        ids = self._ids(run, query, count=plan.intent is Intent.COUNT)
        if not ids:
            why = f"No paper in the corpus mentions {self._what(run)}." + self._no_years(query)
            return self._fallback(run, (self._unknown_note(plan) + " " + why).strip())
        ordered = self._ordered(run, ids)
        papers = [self._paper(run, pid, 0.0) for pid in ordered[: run.k]]
        head = f"{plural(len(ids), 'paper')} mention{'s' if len(ids) == 1 else ''} {self._what(run)}"
        if plan.intent is Intent.COUNT:
            text = head + self._breakdown(run, query) + "."
        else:
            facts = _facts(papers, self.rules)
            names = facts or [p._subject for p in papers]
            text = head + ": " + listing(names[:SHOWN_IN_TEXT], len(ids) - min(len(names), SHOWN_IN_TEXT)) + "."
        return self._result(run, _join(self._unknown_note(plan), text), papers, matched=len(ids))

    def _breakdown(self, run: _Run, query: PaperQuery) -> str:
        """How a count over a type, family or vendor splits over its nodes (each node counted as /entities does)."""
        broad = [g.entities[0] for g in run.plan.groups if g.role is Role.FILTER and len(g.entities) == 1]
        broad = [e for e in broad if e.level is not Level.MODEL and e.node is not None]
        if len(broad) != 1 or broad[0].node is None:
            return ""
        ref = broad[0]
        built = cypher.count_entities(ref.type, query, include=ref.node, limit=SHOWN_IN_TEXT)
        run.show(built)
        tallies = self.store.count_entities(ref.type, query, include=ref.node, limit=SHOWN_IN_TEXT)
        if len(tallies) < 2:
            return ""
        return " (counted over " + ", ".join(f"{t.name}: {t.papers}" for t in tallies) + ")"

    def _no_years(self, query: PaperQuery) -> str:
        if query.year_min is None and query.year_max is None:
            return ""
        if not any(p.year for p in self.searcher.index.papers.values()):
            return " The papers in this corpus carry no publication year."
        return ""

    # --- facts and comparisons ------------------------------------------------------------------------
    def _fact(self, run: _Run) -> AskResult:
        plan = run.plan
        query = plan.paper_query()
        ids = self._ids(run, query) if query.all_of or query.paper_filters else set()
        if not ids and len(query.all_of) > 1:
            query, ids = self._relaxed(run, query)
        if not ids:
            return self._fallback(
                run, _join(self._unknown_note(plan), f"No paper in the corpus mentions {self._what(run)}.")
            )
        ordered = self._ordered(run, ids)
        named = [e for e in plan.entities(Role.FILTER) if e.type is EntityType.SYSTEM]
        candidates = [self._paper(run, pid, 0.0) for pid in ordered[: max(run.k * 3, 30)]]
        candidates.sort(key=lambda p: (not _proposes(p, named), not p.metrics))
        papers = candidates[: run.k]
        facts = _facts(papers, self.rules, per_paper=FACT_NUMBERS)
        if facts:
            text = listing(facts[:3]) + "." + "".join(f" ({note})" for note in run.notes)
        else:
            what = " or ".join(plan.metric.kinds) or "matching"
            verb = "mentions" if len(ids) == 1 else "mention"
            text = f"{plural(len(ids), 'paper')} {verb} {self._what(run)}, but none states a {what} number."
        return self._result(run, text, papers, matched=len(ids))

    def _relaxed(self, run: _Run, query: PaperQuery) -> tuple[PaperQuery, set[str]]:
        """A fact's papers when all its constraints together match none: the most constraints that match
        something, systems kept first (the number belongs to a named system; a dataset or chip named too may
        simply not be in that abstract)."""
        groups = list(query.all_of)
        rank = {EntityType.SYSTEM: 0, EntityType.DATASET: 1, EntityType.HARDWARE: 2, EntityType.TECHNIQUE: 3}
        for size in range(len(groups) - 1, 0, -1):
            subsets = sorted(combinations(groups, size), key=lambda c: sorted(rank[m.type] for g in c for m in g))
            for subset in subsets:
                smaller = query.model_copy(update={"all_of": subset})
                ids = self._ids(run, smaller)
                if ids:
                    dropped = [g for g in groups if g not in subset]
                    names = [
                        e.name for e in run.plan.entities(Role.FILTER) if e.node in {m for g in dropped for m in g}
                    ]
                    run.notes.append("no paper mentions everything named; left out: " + ", ".join(names))
                    return smaller, ids
        return query, set()

    def _compare(self, run: _Run) -> AskResult:
        plan = run.plan
        base = plan.paper_query()
        sides = plan.entities(Role.COMPARE)
        if len(sides) < 2:
            return self._semantic(run)
        ids: dict[str, set[str]] = {}
        missing: dict[str, str] = {}
        for side in sides:
            assert side.node is not None  # only known entities are compared
            ids[side.name] = self._ids(run, base.model_copy(update={"all_of": (*base.all_of, (side.node,))}))
            if not ids[side.name] and base.all_of:  # "which one can also use NVMe storage": a criterion, not a filter
                ids[side.name] = self._ids(run, base.model_copy(update={"all_of": ((side.node,),)}))
                verb = "it does not mention" if len(ids[side.name]) == 1 else "none mentions"
                missing[side.name] = f"{verb} {self._what(run)}" if ids[side.name] else ""
        both = set.intersection(*ids.values()) if ids else set()
        per_side = max(2, run.k // (len(sides) + 1))
        papers: list[AskPaper] = []
        for group, pool in [("both", both), *((name, pool - both) for name, pool in ids.items())]:
            for pid in self._ordered(run, pool)[: per_side if group != "both" else run.k]:
                paper = self._paper(run, pid, 0.0)
                paper.group = group
                papers.append(paper)
        summaries = [self._side(run, side, ids[side.name], papers, missing.get(side.name, "")) for side in sides]
        text = " vs. ".join(summaries)
        text += f"; {plural(len(both), 'paper')} mention{'s' if len(both) == 1 else ''} both." if both else "."
        together = _facts([p for p in papers if p.group == "both"][:2], self.rules, per_paper=FACT_NUMBERS)
        if together:  # where the two meet, the numbers are the comparison itself
            text += " Where both appear: " + listing(together) + "."
        matched = len(set().union(*ids.values())) if ids else 0
        return self._result(run, text, papers[: run.k], matched=matched)

    def _side(self, run: _Run, side: EntityRef, ids: set[str], papers: Sequence[AskPaper], note: str = "") -> str:
        """'vLLM: 9 papers (e.g. vLLM reaches ...)': numbers only when they are the side's own."""
        own = [
            claim(p._subject, m, self.rules)
            for p in papers
            if p.id in ids
            for m in p.metrics
            if _credited_to(side, p, m)
        ]
        text = f"{side.name}: {plural(len(ids), 'paper')}" + (f", {note}" if note else "")
        return text + (f" (e.g. {'; '.join(own[:2])})" if own else "")

    # --- aggregations ---------------------------------------------------------------------------------
    def _top(self, run: _Run) -> AskResult:
        target = self._system_target(run)
        plan = run.plan
        query = plan.paper_query()
        if plan.topics:  # "LLM families", "datasets of vision papers": the papers whose text is on the topic
            query = query.model_copy(update={"papers": frozenset(self._topics(plan, self.store.papers_where(query)))})
        within = query if query.all_of or query.paper_filters else None
        exclude = [e.node for e in plan.entities(Role.FILTER) if e.type is target.type and e.node is not None]
        exclude += self._not_counted(target)
        limit = plan.limit or DEFAULT_TOP
        inc, by = target.include, target.by
        if inc is not None and target.level == "model" and target.type is EntityType.HARDWARE:
            inc = inc.model_copy(update={"level": target.level})
        run.show(cypher.count_entities(target.type, within, include=inc, exclude=exclude, by=by, limit=limit))
        tallies = self.store.count_entities(target.type, within, include=inc, exclude=exclude, by=by, limit=None)
        if by is GroupBy.TYPE and target.type is EntityType.HARDWARE:  # kinds of hardware, not machine parts
            tallies = [t for t in tallies if t.name not in self.rules.component_types]
        if target.level == "family":  # "LLM families": lines that have members, not a lone model
            tallies = [t for t in tallies if (t.type, t.name) in self.vocab.families]
        named = [e for e in plan.entities(Role.FILTER) if e.type is EntityType.HARDWARE]
        if by is GroupBy.LINE and target.type is EntityType.HARDWARE and named:  # other hardware than named
            tallies = self._as_models(tallies, within, inc, exclude)
        categories: list[Category] = []
        if target.type is EntityType.SYSTEM:  # "deep learning frameworks": PyTorch, not Llama
            tallies, categories = self._in_categories(plan, tallies)
        tallies, unused = _qualified(tallies, target.qualifier) if not categories else (tallies, None)
        tallies = tallies[:limit]
        if not tallies and target.by is GroupBy.VENDOR:
            tallies = self._vendor_tallies(within, limit)
        noun = target.words or target.type.value
        if categories:
            noun = " or ".join(c.plural for c in categories)
        if not tallies:
            text = f"No {noun} found" + (f" in papers that mention {self._what(run)}." if within else ".")
            return self._result(run, text, [], matched=0)
        ranked = ", ".join(f"{t.name} ({plural(t.papers, 'paper')})" for t in tallies)
        if plan.intent is Intent.COOCCURRENCE:
            text = f"{noun[:1].upper() + noun[1:]} most often found with {self._what(run)}: {ranked}."
        else:
            scope = self._among(run, within)
            text = f"{noun[:1].upper() + noun[1:]} used by the most papers{scope}: {ranked}."
        if unused:
            text += f" (“{unused}” is in none of the names ranked, so it does not narrow the ranking.)"
        top = _tally_node(tallies[0])
        pool = self.store.papers_where(
            PaperQuery(all_of=(*(within.all_of if within else ()), (top,)), **_paper_filters(within))
        )
        papers = [self._paper(run, pid, 0.0) for pid in self._ordered(run, pool)[: run.k]]
        return self._result(run, text, papers, matched=len(pool), ranking=tallies)

    def _as_models(
        self, lines: list[Tally], within: PaperQuery | None, inc: NodeMatch | None, exclude: Sequence[NodeMatch]
    ) -> list[Tally]:
        """A line counted with the papers of one of its models only is named by that model ("which other GPU
        do Ampere papers name": NVIDIA H100, not the Hopper line); a line several models share stays a line."""
        models = self.store.count_entities(EntityType.HARDWARE, within, include=inc, exclude=exclude, limit=None)
        out = []
        for line in lines:
            below = set(self.vocab.family_closure(EntityType.HARDWARE, line.name))
            members = [m for m in models if m.name != line.name and _str(m.properties.get("family")) in below]
            best = max(members, key=lambda m: m.papers, default=None)
            out.append(best if best is not None and best.papers == line.papers else line)
        return out

    def _system_target(self, run: _Run) -> Target:
        """The plan's target; systems when the question asks for a kind of system the planner read as a
        technique ("distributed training *library*": DeepSpeed, not data parallelism). The words a category
        used are no longer reported as ignored."""
        plan = run.plan
        target = plan.target
        assert target is not None  # the planner keeps these intents only with a target
        asked = self.categories.asked(plan.text or plan.question)
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

    def _in_categories(self, plan: QueryPlan, tallies: list[Tally]) -> tuple[list[Tally], list[Category]]:
        """The systems of the categories the question asks for ("frameworks or training libraries"); all of
        them, and no category, when it asks for none or none of the ranked systems is in one."""
        asked = self.categories.asked(plan.text or plan.question)
        if not asked:
            return tallies, []
        family = {t.name: t.properties.get("family") for t in tallies}
        kept = [t for t in tallies if any(c.holds(t.name, _str(family[t.name])) for c in asked)]
        return (kept, asked) if kept else (tallies, [])

    @staticmethod
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

    def _vendor_tallies(self, within: PaperQuery | None, limit: int) -> list[Tally]:
        """Vendors counted by name when the graph stores none (each vendor's papers as papers_where finds
        them, read once; a question only intersects them with its own papers)."""
        pool = self.store.papers_where(within) if within is not None else None
        tallies = []
        for vendor, papers in self.vendor_papers.items():
            n = len(papers if pool is None else papers & pool)
            if n:
                tallies.append(Tally(type=EntityType.HARDWARE, group=GroupBy.VENDOR, name=vendor, papers=n))
        tallies.sort(key=lambda t: (-t.papers, t.name.casefold()))
        return tallies[:limit]

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

    def _superlative(self, run: _Run) -> AskResult:
        plan = run.plan
        query = plan.paper_query()
        kinds = plan.metric.kinds
        hardware = [e for e in plan.entities(Role.FILTER) if e.type is EntityType.HARDWARE and e.node is not None]
        against = [e for e in hardware if self._compared_against(plan, e)]  # "speedup over a GPU": the baseline
        hardware = [e for e in hardware if e not in against]
        on = hardware[0].node if hardware else None
        within = query if query.all_of or query.paper_filters else None
        hits = self._numbers(plan, kinds, within, plan.metric.unit, on)
        if against:
            hits = _versus(hits, against)
        if not hits and on is not None:
            run.notes.append(f"no number is tied to {hardware[0].name} itself; these come from papers that mention it")
            on = None
            hits = self._numbers(plan, kinds, within, plan.metric.unit, on)
            hits = _versus(hits, against) if against else hits
        scores: dict[str, float] = {}
        phrase = plan.metric.phrase if not kinds and not plan.metric.unit else None
        if phrase:  # a quantity no kind names ("context length", "MFU"): the numbers whose own words say it
            about = self.quantities.about(hits, self._asked(plan, phrase))
            hits = [h for h, _ in about]
            scores = {h.metric.id: score for h, score in about}
        elif plan.metric.phrase:  # "the highest ImageNet top-1 accuracy": of the kind, those that say the rest
            about = self.quantities.about(hits, self._beyond_kind(plan, plan.metric.phrase))
            hits = [h for h, _ in about] or hits
        if not hits:
            scope = f" that mentions {self._what(run)}" if within else ""
            asked = " or ".join(kinds) or plan.metric.unit or f"“{phrase}”"
            text = f"No paper{scope} reports a {asked} number."
            return self._result(run, _join(self._unknown_note(plan), text), [], matched=0)
        # the first kind asked that has numbers; a question naming only a unit ("the highest TFLOPS") or a
        # quantity ("the longest context length") compares every number in it, whatever its kind
        kind = next((k for k in kinds if any(h.metric.kind == k for h in hits)), hits[0].metric.kind)
        pool = [h for h in hits if h.metric.kind == kind] if kinds else hits
        dimension = self._dimension(plan, pool, scores)
        pool = [h for h in pool if self.units.dimension(h.metric.unit) == dimension]
        units = sorted({h.metric.unit for h in pool})
        kind = pool[0].metric.kind if not kinds else kind
        descending = self._descending(plan, kind, units[0])
        n = max(run.k, 3)
        run.show(
            cypher.metric_values([kind] if kinds else [], within, measured_on=on, descending=descending, limit=None)
        )
        pool.sort(key=lambda h: self._rank_key(h, descending))
        best = self._gains(kind, units[0], descending, pool)
        best = _about(best, [e for e in plan.entities(Role.FILTER) if e.type is EntityType.DATASET])
        firsts: dict[str, MetricHit] = {}
        for h in best:  # each paper once, at its best
            firsts.setdefault(h.paper_id, h)
        best = list(firsts.values())[:n]
        records = {h.paper_id: self.store.paper(h.paper_id) for h in best}
        top = best[0]
        who = credited(records[top.paper_id], top.metric, top.paper_title)
        end = "highest" if descending else "lowest"
        scope = self._among(run, within)
        what = phrase or top.metric.metric or top.metric.kind
        across = f" in {units[0]}" if len(units) == 1 else f" (compared across {', '.join(units)})"
        text = f"The {end} {what}{across}{scope}: {format_metric(top.metric, self.rules)}, by {who}"
        others = [
            f"{format_metric(h.metric, self.rules)} by {credited(records[h.paper_id], h.metric, h.paper_title)}"
            for h in best[1:3]
        ]
        text += (". Next: " + "; ".join(others) if others else "") + "."
        if run.notes:
            text += " (" + "; ".join(run.notes) + ")"
        value = MetricValue(
            paper=top.paper_id,
            title=top.paper_title,
            credited_to=who,
            value=_end(top.metric, descending),
            unit=top.metric.unit,
            metric=top.metric.metric,
            hardware=top.metric.hardware,
        )
        papers = [self._paper(run, pid, 0.0) for pid in dict.fromkeys(h.paper_id for h in best)][: run.k]
        result = self._result(run, text, papers, matched=len({h.paper_id for h in hits}))
        result.value = value
        return result

    def _beyond_kind(self, plan: QueryPlan, phrase: str) -> set[str]:
        """The names in a quantity beyond its kind: words with a capital or a digit that are not the kind's own
        ("ImageNet top-1 accuracy" -> imagenet, top-1; "lowest power draw", "largest throughput gain" -> none)."""
        general = [p for _, p in self.rules.metric_words] + [p for _, p in self.rules.directions]
        named = " ".join(w for w in phrase.split() if w != w.lower() or any(c.isdigit() for c in w))
        return {w for w in self._asked(plan, named) if not any(p.fullmatch(w) for p in general)}

    def _compared_against(self, plan: QueryPlan, ref: EntityRef) -> bool:
        """Whether the question names this chip as what a number is compared against ("speedup over a GPU",
        "faster than the A100"), not where it was measured."""
        text = plan.text or plan.question
        at = text.find(ref.words)
        return at > 0 and self.rules.baseline_before.search(text[:at]) is not None

    def _rank_key(self, hit: MetricHit, descending: bool) -> tuple[float, str, str]:
        """Best first by the value in its dimension's base unit (6.9 uW before 1.11 W), a range by the end
        asked for ("41-137x" is up to 137x), then paper and id."""
        value = self.units.base(_end(hit.metric, descending), hit.metric.unit)
        return (-value if descending else value, hit.paper_id, hit.metric.id)

    def _dimension(self, plan: QueryPlan, hits: Sequence[MetricHit], scores: dict[str, float]) -> str:
        """What the compared numbers measure: the unit asked for's dimension; else relative (x, %) when the
        question asks for a gain over something, absolute otherwise; then the dimension whose numbers best
        match the quantity named, then the one most numbers are in."""
        if plan.metric.unit:
            return self.units.dimension(plan.metric.unit)
        relative = self.rules.relative_words.search(plan.text or plan.question) is not None
        best: dict[str, float] = {}
        count: Counter[str] = Counter()
        changes: Counter[str] = Counter()
        for h in hits:
            dim = self.units.dimension(h.metric.unit)
            count[dim] += 1
            changes[dim] += _is_change(h.metric)
            best[dim] = max(best.get(dim, 0.0), scores.get(h.metric.id, 0.0))
        return min(count, key=lambda d: ((2 * changes[d] > count[d]) != relative, -best[d], -count[d], d))

    def _asked(self, plan: QueryPlan, text: str | None = None) -> set[str]:
        """The words of a question (or of its quantity phrase) that may describe a number: not function words,
        not the vocabulary of asking, not the names of entities it filters on."""
        drop = self.rules.asking_words
        if text is None:
            text = plan.text or plan.question
            named = [words(e.words) for e in (*plan.entities(), *plan.unknown)]
            drop = drop.union(*named)
        return {w for w in words(text) if w not in drop}

    def _asked_metrics(self, record: PaperRecord, plan: QueryPlan) -> list[MetricRecord]:
        """The paper's numbers the question asks about, best first. Of the kinds or unit asked: those in the
        unit asked, then those on the chip asked about, then those whose own words match the question's. For a
        fact or comparison naming no kind (or a similarity question asking for a number: "what fraction of
        queries ..."), the numbers whose own words match the question's quantity words."""
        kinds, unit = plan.metric.kinds, plan.metric.unit
        asked = self._asked(plan)
        chips = [e for e in plan.entities(Role.FILTER) if e.type is EntityType.HARDWARE]
        found = [m for m in record.metrics if m.kind in kinds or (unit is not None and m.unit == unit)]
        by_words = plan.intent in (Intent.FACT, Intent.COMPARE) or (
            plan.intent is Intent.SEMANTIC and asks_number(plan.text or plan.question)
        )
        if found:  # a unit asked for ("speedup": x) is a number of that kind, whatever kind it was given
            scores = {m.id: self.quantities.score(m, asked) for m in found}
        elif by_words:  # no kind named, or none of the paper's numbers is of the kinds named ("per-watt" study)
            scored = {m.id: self.quantities.score(m, asked) for m in record.metrics}
            best = max(scored.values(), default=0.0)
            found = [m for m in record.metrics if best > 0 and scored[m.id] >= NEAR_BEST * best]
            scores = scored
        else:
            return []
        found.sort(key=lambda m: (unit is not None and m.unit != unit, not _measured_on(m, chips), -scores[m.id]))
        seen: set[tuple[str, float, str]] = set()
        out = []
        for m in found:  # the title and the abstract often state the same number
            if (m.metric.casefold(), m.value, m.unit) not in seen:
                seen.add((m.metric.casefold(), m.value, m.unit))
                out.append(m)
        return out

    @property
    def numbers(self) -> dict[str, list[MetricHit]]:
        """Every stored number by kind, read once (the first question that needs them)."""
        if self._numbers_by_kind is None:
            by_kind: dict[str, list[MetricHit]] = {}
            for h in self.store.metric_values([], None, limit=None):
                by_kind.setdefault(h.metric.kind, []).append(h)
            self._numbers_by_kind = by_kind
        return self._numbers_by_kind

    @property
    def quantities(self) -> QuantityIndex:
        """Every stored number's describing words, read once (the first question that needs them)."""
        if self._quantities is None:
            self._quantities = QuantityIndex.build(h for hits in self.numbers.values() for h in hits)
        return self._quantities

    def _numbers(
        self,
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
            hits = self._stored_numbers(kinds, within, descending)
        else:
            hits = self.store.metric_values(kinds, within, measured_on=on, descending=descending, limit=None)
        hits = self._on_topic(plan, self._in_dimension(hits, unit))
        if on is not None and not hits:
            hits = self._stored_numbers(kinds, within, descending)
            hits = self._on_topic(plan, [h for h in self._in_dimension(hits, unit) if h.metric.hardware is None])
        return hits

    def _stored_numbers(self, kinds: Sequence[str], within: PaperQuery | None, descending: bool) -> list[MetricHit]:
        """What ``store.metric_values(kinds, within)`` returns, from the numbers read at load, by kind."""
        pool = self.store.papers_where(within) if within is not None else None
        numbers = self.numbers
        found = [h for k in (kinds or numbers) for h in numbers.get(k, ()) if pool is None or h.paper_id in pool]
        return sorted(found, key=lambda h: metric_order(h, descending))

    def _in_dimension(self, hits: list[MetricHit], unit: str | None) -> list[MetricHit]:
        if unit is None:
            return hits
        dimension = self.units.dimension(unit)
        return [h for h in hits if self.units.dimension(h.metric.unit) == dimension]

    def _gains(self, kind: str, unit: str, descending: bool, hits: list[MetricHit]) -> list[MetricHit]:
        """The largest relative number is the largest gain: a cut for kinds where lower is better (a memory
        saving, an energy reduction), a rise for the others; a number going the other way ("raises memory
        footprint by 90%") is a cost, not a candidate. Numbers whose direction is unknown stay."""
        if not descending or unit not in RELATIVE_UNITS:
            return hits
        want = "decrease" if self.rules.better.get(kind, "max") == "min" else "increase"
        kept = [h for h in hits if direction(h.metric, self.rules) in (want, None)]
        return kept or hits

    def _on_topic(self, plan: QueryPlan, hits: list[MetricHit]) -> list[MetricHit]:
        if not plan.topics:
            return hits
        papers = self._topics(plan, {h.paper_id for h in hits})
        return [h for h in hits if h.paper_id in papers]

    def _descending(self, plan: QueryPlan, kind: str, unit: str) -> bool:
        """Which end a superlative wants: 'highest'/'lowest' as said; 'best' per kind (improvements: highest)."""
        best = plan.metric.best or "better"
        if best in ("max", "min"):
            return best == "max"
        higher = unit in RELATIVE_UNITS or self.rules.better.get(kind, "max") == "max"
        return higher if best == "better" else not higher

    def _trend(self, run: _Run) -> AskResult:
        plan = run.plan
        query = plan.paper_query()
        if plan.topics:  # "LLM serving papers per year": the papers whose text is on the topic
            query = query.model_copy(update={"papers": frozenset(self._topics(plan, self.store.papers_where(query)))})
        elif not query.all_of and not query.paper_filters and (plan.ignored or plan.metric.kinds):
            why = "Nothing the question names selects papers in the graph, so no trend is counted."
            return self._fallback(run, why)
        run.show(cypher.papers_per_year(query))
        years = self.store.papers_per_year(query)
        ids = self._ids(run, query)
        papers = [self._paper(run, pid, 0.0) for pid in self._ordered(run, ids)[: run.k]]
        what = self._what(run) if query.all_of or query.paper_filters else "anything"
        if not years:
            why = (
                " The papers in this corpus carry no publication year."
                if not any(p.year for p in self.searcher.index.papers.values())
                else " None of them has a publication year."
            )
            verb = "mentions" if len(ids) == 1 else "mention"
            text = f"{plural(len(ids), 'paper')} {verb} {what}, but there is no trend to show.{why}"
            return self._result(run, text, papers, matched=len(ids))
        series = "; ".join(f"{y.year}: {y.papers}" for y in years)
        undated = len(ids) - sum(y.papers for y in years)
        text = f"Papers that mention {what}, per year: {series}."
        text += f" {plural(undated, 'paper')} without a year not counted." if undated else ""
        result = self._result(run, text, papers, matched=len(ids))
        result.trend = years
        return result

    # --- similarity questions -------------------------------------------------------------------------
    def _semantic(self, run: _Run) -> AskResult:
        plan = run.plan
        query = plan.paper_query()
        allowed = self._ids(run, query) if query.paper_filters else None
        ranked = self._similar(run, allowed)
        if self._out_of_scope(run, despite_entities=True):
            return self._refuse(run)
        papers = [self._paper(run, pid, score) for pid, score in ranked]
        top = "; ".join(p.title for p in papers[:3])
        text = f"The most relevant papers, by similarity to the question: {top}." if papers else "No papers found."
        text = _join(self._stated(plan, papers), text)
        if run.weak and papers:
            text = "Only weak matches: " + text[0].lower() + text[1:]
        return self._result(run, _join(self._unknown_note(plan), text), papers, matched=len(allowed or ()))

    def _stated(self, plan: QueryPlan, papers: Sequence[AskPaper]) -> str:
        """A similarity answer to a question asking for a number: the number the closest paper states, when
        its sentence shares at least two of the question's words with it (one may be chance)."""
        if not papers or not papers[0].metrics:
            return ""
        top = papers[0]
        if len(self.quantities.matches(top.metrics[0], self._asked(plan))) < STATED_WORDS:
            return ""
        quoted = " ".join(window(top.metrics[0]).split()).strip(" ,;:")
        return f"{top._subject} reports {amount(top.metrics[0])}: “…{quoted}…”."

    # --- papers and the result ------------------------------------------------------------------------
    def _paper(self, run: _Run, pid: str, score: float) -> AskPaper:
        record = self.store.paper(pid)
        paper = self.searcher.index.papers[pid]
        plan = run.plan
        refs = [e for e in plan.entities() if e.node is not None]
        evidence = [
            Evidence(type=link.type.value, name=link.name, sentence=link.evidence)
            for link in (record.entities if record else [])
            if link.evidence and any(_link_matches(link, e.node) for e in refs if e.node is not None)
        ]
        metrics = self._asked_metrics(record, plan) if record else []
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

    def _result(
        self, run: _Run, text: str, papers: list[AskPaper], matched: int, ranking: Sequence[Tally] = ()
    ) -> AskResult:
        plan = run.plan
        return AskResult(
            question=plan.question,
            intent=plan.intent,
            answer=_join(text, _read_note(plan)),
            interpretation=self._interpretation(run),
            entities=[
                AskEntity(type=e.type, name=e.name, surface=e.words) for e in plan.entities() if e.node is not None
            ],
            metric_kinds=list(plan.metric.kinds),
            constraints=_constraints(plan),
            matched=matched,
            more=max(0, matched - len(papers)) if plan.intent in (Intent.LIST, Intent.COUNT, Intent.TREND) else 0,
            fallback=run.fallback,
            ranking=list(ranking),
            graph_queries=run.queries,
            count=len(papers),
            papers=papers,
        )

    def _interpretation(self, run: _Run) -> Interpretation:
        plan = run.plan
        entities = [
            RecognisedEntity(
                type=e.type,
                name=e.name,
                level=e.level,
                words=e.words,
                match=e.match,
                role=g.role,
                papers=self._ref_papers(e),
                reason=g.reason,
            )
            for g in plan.groups
            for e in g.entities
        ]
        caveats = _caveats(run)
        target = None
        if plan.target is not None:
            target = plan.target.type.value + (
                "" if plan.target.by is GroupBy.ENTITY else f" by {plan.target.by.value}"
            )
        return Interpretation(
            intent=plan.intent,
            entities=entities,
            unknown=[e.name for e in plan.unknown],
            corrections=plan.corrections,
            ignored=plan.ignored,
            filters=_filter_words(plan),
            metric=plan.metric if plan.metric.kinds or plan.metric.unit or plan.metric.phrase else None,
            target=target,
            limit=plan.limit,
            topics=plan.topics,
            similarity=run.similarity,
            top_similarity=run.top_similarity,
            weak=run.weak,
            confidence=_confidence(run, caveats),
            caveats=caveats,
        )


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _read_note(plan: QueryPlan) -> str:
    """What the answer text adds about the reading: words left unused and misspellings corrected."""
    if plan.intent is Intent.OUT_OF_SCOPE:
        return ""
    notes = [f"Read “{c.original}” as {c.corrected}." for c in plan.corrections if c.kind is MatchKind.CORRECTED]
    if plan.ignored:
        notes.append(f"Words not used: {', '.join(plan.ignored)}.")
    return " ".join(notes)


def _caveats(run: _Run) -> list[str]:
    """Why an answer deserves less than full trust, in words."""
    plan = run.plan
    best = f"best similarity {run.top_similarity:.2f}" if run.top_similarity is not None else ""
    out = []
    if plan.intent is Intent.OUT_OF_SCOPE:
        out.append(f"nothing in the corpus is close ({best})")
    elif run.fallback:
        out.append("nothing in the graph matched: papers ranked by similarity")
    elif run.similarity:
        out.append("read as a similarity question: papers ranked by closeness, not filtered")
    if run.weak and plan.intent is not Intent.OUT_OF_SCOPE:
        out.append(f"only weak matches ({best})")
    out += [f"“{c.original}” read as {c.corrected}" for c in plan.corrections if c.kind is MatchKind.CORRECTED]
    if plan.ignored:
        out.append(f"words not used: {', '.join(plan.ignored)}")
    if plan.unknown:
        out.append(f"named, but in no paper: {', '.join(e.name for e in plan.unknown)}")
    if plan.phrases and plan.intent is not Intent.OUT_OF_SCOPE:
        out.append(f"subject matched in the paper text, not the graph: {' or '.join(plan.phrases)}")
    return out + _intent_caveats(plan)


INTENT_UNSURE = 0.05  # the example bank's lead below which the intent is said to be uncertain


def _intent_caveats(plan: QueryPlan) -> list[str]:
    """How sure the reading of the intent is (the example bank's margin, and whether it overruled the cues)."""
    reading = plan.intent_reading
    if plan.intent is Intent.OUT_OF_SCOPE:
        return []
    if reading.source == "examples over rules":
        return [f"read as {plan.intent.value} from similar example questions, not the cue words"]
    if reading.runner_up is not None and abs(reading.margin) < INTENT_UNSURE:
        return [f"intent uncertain: {plan.intent.value} or {reading.runner_up.value}"]
    return []


def _confidence(run: _Run, caveats: Sequence[str]) -> Confidence:
    if run.plan.intent is Intent.OUT_OF_SCOPE or run.fallback or run.weak:
        return Confidence.LOW
    return Confidence.MEDIUM if caveats else Confidence.HIGH


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


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _years(lo: int | None, hi: int | None) -> str:
    if lo is not None and lo == hi:
        return f"published in {lo}"
    if lo is not None and hi is not None:
        return f"published in {lo}–{hi}"
    return f"published from {lo} on" if lo is not None else f"published up to {hi}"


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


def _credited_to(side: EntityRef, paper: AskPaper, m: MetricRecord) -> bool:
    """A number is a side's own: its credited system, the paper's proposed system, or its measured-on chip."""
    if side.type is EntityType.SYSTEM:
        return (m.system or paper._subject) == side.name
    if side.type is EntityType.HARDWARE:
        return m.hardware is not None and (m.hardware == side.name or m.hardware.endswith(" " + side.name))
    return False


def _proposes(paper: AskPaper, named: Sequence[EntityRef]) -> bool:
    return any(paper._subject == e.name for e in named)


def _subject(record: PaperRecord | None, title: str) -> str:
    proposed = [e.name for e in record.entities if e.relationship == "PROPOSES"] if record else []
    return proposed[0] if proposed else f"“{title}”"


def _measured_on(m: MetricRecord, chips: Sequence[EntityRef]) -> bool:
    where = (m.hardware or "").casefold()
    return bool(where) and any(c.name.casefold() in where or where in c.name.casefold() for c in chips)


def _facts(papers: Iterable[AskPaper], rules: QuestionRules, per_paper: int = 2) -> list[str]:
    """'TeLLMe reaches 25 tokens/s decoding throughput on AMD KV260', one per paper with numbers asked for
    (its first ``per_paper`` numbers)."""
    return [
        claim(p._subject, p.metrics[0], rules) + "".join(f", {format_metric(m, rules)}" for m in p.metrics[1:per_paper])
        for p in papers
        if p.metrics
    ]


def _about(hits: Sequence[MetricHit], datasets: Sequence[EntityRef]) -> list[MetricHit]:
    """Numbers whose sentence names the dataset asked about ("ImageNet top-1"), when any does."""
    names = {w.casefold() for e in datasets for w in (e.name, e.words)}
    named = [h for h in hits if any(n in h.metric.evidence.casefold() for n in names)]
    return named or list(hits)


def _constraints(plan: QueryPlan) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in plan.entities(Role.FILTER):
        out.setdefault(e.type.value, []).append(e.name)
    if plan.topics:
        out["topic"] = list(plan.topics)
    return out


def _filter_words(plan: QueryPlan) -> list[str]:
    words = [
        f"{e.type.value} {e.level.value} = {e.name}"
        + (" (compared against: its own papers left out)" if g.baseline else "")
        for g in plan.groups
        if g.role is Role.FILTER
        for e in g.entities
    ]
    f = plan.filters
    if f.year_min is not None or f.year_max is not None:
        words.append(_years(f.year_min, f.year_max))
    if f.author_words:
        words.append(f"author = {' or '.join(f.authors) or f.author_words}")
        words += [f"co-author = {c}" for c in f.coauthors]
    words += [f"topic '{t}' in the paper text" for t in plan.topics]
    words += [plan.phrase_shown(p) for p in [*plan.phrases, *plan.loose_phrases]]
    if plan.metric.unit:
        words.append(f"unit = {plan.metric.unit}")
    return words


def _qualified(tallies: list[Tally], qualifier: str | None) -> tuple[list[Tally], str | None]:
    """The tallies whose name holds the qualifier ("parallelism strategies": pipeline parallelism, ...), and
    the qualifier when no name holds it (then every tally stays, and the answer says so)."""
    if not qualifier:
        return tallies, None
    word = re.compile(rf"\b{re.escape(qualifier.casefold().replace('-', ' ').rstrip('s'))}s?\b")
    named = [t for t in tallies if word.search(t.name.casefold().replace("-", " "))]
    return (named, None) if named else (tallies, qualifier)


__all__ = ["Executor", "direction", "number"]
