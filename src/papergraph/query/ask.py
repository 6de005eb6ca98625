"""Natural-language questions answered from the graph, ranked by similarity, with evidence.

A question goes through the same extraction pipeline as the abstracts: the hardware, techniques, systems and
datasets it names become graph constraints; its wording gives the intent (list, count, fact, compare, or a plain
semantic question) and the metric kinds it asks about ("how fast" -> throughput, latency, speedup). Papers
satisfying the constraints are ranked by hybrid similarity to the question; when nothing satisfies them, the
answer says so and falls back to similarity alone. The graph query is returned as Cypher, ready for Neo4j Browser.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from pydantic import BaseModel, Field, PrivateAttr

from papergraph.graph import GraphStore
from papergraph.graph.cypher import papers_query
from papergraph.models import EntityType, Extraction, MetricRecord, PaperRecord, Span
from papergraph.query.search import Searcher, rrf, snippet

MAX_LIST = 100  # most papers a list answer returns, whatever k says
SEMANTIC_K = 10


class Intent(StrEnum):
    LIST = "list"
    COUNT = "count"
    FACT = "fact"
    COMPARE = "compare"
    SEMANTIC = "semantic"


class TextExtractor(Protocol):
    def extract_text(self, text: str, paper_id: str = "query") -> Extraction: ...


class AskEntity(BaseModel):
    type: EntityType
    name: str
    surface: str


class Evidence(BaseModel):
    type: EntityType = Field(description="Entity type the sentence supports (`metric` for a reported number).")
    name: str
    sentence: str


class AskPaper(BaseModel):
    id: str
    title: str
    score: float
    snippet: str
    evidence: list[Evidence] = Field(default_factory=list)
    metrics: list[MetricRecord] = Field(default_factory=list, description="Metrics of the kinds asked about.")
    group: str | None = Field(None, description="For comparisons: which side the paper belongs to.")
    _subject: str = PrivateAttr("")  # what the answer text calls the paper: its proposed system, else its title


class GraphQuery(BaseModel):
    cypher: str
    params: dict[str, Any] = Field(default_factory=dict)


class AskResult(BaseModel):
    question: str
    intent: Intent
    answer: str
    entities: list[AskEntity] = Field(default_factory=list, description="Entities recognised in the question.")
    metric_kinds: list[str] = Field(default_factory=list, description="Metric kinds the question asks about.")
    constraints: dict[str, list[str]] = Field(default_factory=dict, description="Graph constraints applied.")
    matched: int = Field(0, description="Papers satisfying the constraints (all of them, before k).")
    fallback: bool = Field(False, description="True when constraints matched nothing and ranking is by similarity.")
    graph_queries: list[GraphQuery] = Field(default_factory=list, description="The graph queries run, as Cypher.")
    count: int = 0
    papers: list[AskPaper] = Field(default_factory=list)
    took_ms: float = 0.0


# --------------------------------------------------------------------------------------------------
# Reading a question
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A qualifier outside the entity vocabulary ("language models"), matched in the paper's own text."""

    name: str
    question: re.Pattern[str]
    paper: re.Pattern[str]


@dataclass(frozen=True)
class QuestionRules:
    intents: tuple[tuple[Intent, re.Pattern[str]], ...]
    metric_words: tuple[tuple[str, re.Pattern[str]], ...]
    topics: tuple[Topic, ...]


@lru_cache(maxsize=1)
def question_rules() -> QuestionRules:
    """The intent and metric-word patterns, from ``query/data/question_rules.json``."""
    raw = json.loads(resources.files("papergraph.query").joinpath("data/question_rules.json").read_text())
    return QuestionRules(
        intents=tuple((Intent(r["intent"]), re.compile(r["pattern"], re.I)) for r in raw["intents"]),
        metric_words=tuple((r["kind"], re.compile(r["pattern"], re.I)) for r in raw["metric_words"]),
        topics=tuple(
            Topic(r["topic"], re.compile(r["question"], re.I), re.compile(r["paper"], re.I)) for r in raw["topics"]
        ),
    )


@dataclass
class ParsedQuestion:
    intent: Intent
    entities: list[AskEntity]
    constraints: dict[EntityType, list[str]]
    metric_kinds: list[str]
    topics: list[Topic]


_TYPE_FIELDS = (
    (EntityType.HARDWARE, "hardware"),
    (EntityType.TECHNIQUE, "techniques"),
    (EntityType.SYSTEM, "systems"),
    (EntityType.DATASET, "datasets"),
)


def parse_question(question: str, extraction: Extraction) -> ParsedQuestion:
    """Intent, entities, graph constraints and metric kinds of a question."""
    rules = question_rules()
    entities: list[AskEntity] = []
    constraints: dict[EntityType, list[str]] = {}
    for type_, field in _TYPE_FIELDS:
        for mention in getattr(extraction, field):
            names = constraints.setdefault(type_, [])
            if mention.name not in names:
                names.append(mention.name)
                entities.append(AskEntity(type=type_, name=mention.name, surface=mention.surface))
    kinds = [kind for kind, pattern in rules.metric_words if pattern.search(question)]
    intent = next((i for i, pattern in rules.intents if pattern.search(question)), Intent.SEMANTIC)
    if intent is not Intent.COMPARE:
        _drop_broader(constraints, extraction)
    if intent is Intent.COMPARE and not _compare_axis(constraints):
        intent = Intent.SEMANTIC  # what is compared is not in the graph: rank by similarity
    if intent is Intent.FACT and not constraints:
        intent = Intent.SEMANTIC
    topics = [t for t in rules.topics if t.question.search(question)] if constraints else []
    return ParsedQuestion(intent, entities, constraints, kinds, topics)


_COORDINATED = re.compile(r"\b([\w-]+),? (?:or|and|and/or) ([\w-]+)((?: [\w-]+){1,3})")


def expand_coordination(question: str) -> list[str]:
    """'binary or ternary neural networks' -> ['binary neural networks']: the head noun the first term shares."""
    return [f"{m.group(1)}{m.group(3)}" for m in _COORDINATED.finditer(question)]


def _drop_broader(constraints: dict[EntityType, list[str]], extraction: Extraction) -> None:
    """'Huawei Ascend NPUs' names a model and its class in one phrase: keep the model, or the filter widens to
    every NPU. A class named apart ('LoRA or other fine-tuning methods') stays: the question asks for it."""
    pairs: list[tuple[EntityType, Span, set[str]]] = [
        (EntityType.HARDWARE, h, {h.type.value, h.family or ""} - {h.name}) for h in extraction.hardware
    ]
    pairs += [(EntityType.TECHNIQUE, t, {t.family} - {t.name} if t.family else set()) for t in extraction.techniques]
    mentions: list[tuple[EntityType, Span, str]] = [
        (type_, m, m.name) for type_, field in _TYPE_FIELDS for m in getattr(extraction, field)
    ]
    for type_, narrow, broader_names in pairs:
        for other_type, broad, name in mentions:
            adjacent = broad.start - narrow.end <= 2 and broad.end >= narrow.start
            if other_type is type_ and name in broader_names and adjacent and name in constraints.get(type_, []):
                constraints[type_].remove(name)


_AXIS_ORDER = (EntityType.SYSTEM, EntityType.HARDWARE, EntityType.TECHNIQUE, EntityType.DATASET)


def _compare_axis(constraints: Mapping[EntityType, Sequence[str]]) -> EntityType | None:
    """The entity type a comparison is about: the first with two or more values."""
    return next((t for t in _AXIS_ORDER if len(constraints.get(t, ())) >= 2), None)


# --------------------------------------------------------------------------------------------------
# Answer text
# --------------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 and value == int(value) else f"{value:g}"


def format_metric(m: MetricRecord) -> str:
    """ "25 tokens/s decoding throughput on AMD KV260" (units glued where people glue them: 40%, 2.4x)."""
    value = _number(m.value) + (f"–{_number(m.value_max)}" if m.value_max is not None else "")
    unit = m.unit
    amount = f"{value}{unit}" if unit in {"%", "x"} else (f"{unit}{value}" if unit == "$" else f"{value} {unit}")
    text = f"{amount} {m.metric}".strip() if m.metric and m.metric.casefold() not in amount.casefold() else amount
    return text + (f" on {m.hardware}" if m.hardware else "")


def describe(constraints: Mapping[EntityType, Sequence[str]]) -> str:
    """'FPGA hardware and quantization' for the answer text."""
    parts = []
    for type_, values in constraints.items():
        joined = " or ".join(values)
        parts.append(
            f"{joined} hardware"
            if type_ is EntityType.HARDWARE and len(values) == 1 and values[0].isupper()
            else joined
        )
    return " and ".join(parts)


_STOP = frozenset(
    {
        "what",
        "which",
        "how",
        "many",
        "much",
        "does",
        "do",
        "did",
        "is",
        "are",
        "the",
        "a",
        "an",
        "of",
        "on",
        "in",
        "for",
        "with",
        "to",
        "and",
        "or",
        "by",
        "from",
        "reach",
        "reaches",
        "achieve",
        "achieves",
        "get",
        "gets",
        "when",
        "what's",
        "paper",
        "papers",
        "model",
        "models",
    }
)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9-]{3,}", text.casefold()) if w not in _STOP}


def _subject(record: PaperRecord) -> str:
    proposed = [e.name for e in record.entities if e.relationship == "PROPOSES"]
    return proposed[0] if proposed else f"“{record.title}”"


# --------------------------------------------------------------------------------------------------
# The asker
# --------------------------------------------------------------------------------------------------


class Asker:
    """Answers questions with the graph (constraints, facts) and the searcher (ranking)."""

    def __init__(self, searcher: Searcher, store: GraphStore, extractor: TextExtractor) -> None:
        self.searcher = searcher
        self.store = store
        self.extractor = extractor

    def ask(self, question: str, k: int = 10) -> AskResult:
        t0 = time.perf_counter()
        question = question.strip()
        extraction = self.extractor.extract_text(question)
        for variant in expand_coordination(question):  # "binary or ternary networks": find "binary networks" too
            more = self.extractor.extract_text(variant)
            for field in ("hardware", "techniques", "systems", "datasets"):
                getattr(extraction, field).extend(getattr(more, field))
        parsed = parse_question(question, extraction)
        vector = self.searcher.encoder.encode_query(question)
        if parsed.intent is Intent.COMPARE:
            result = self._compare(question, parsed, vector, k)
        else:
            result = self._single(question, parsed, vector, k)
        result.took_ms = round((time.perf_counter() - t0) * 1000, 2)
        return result

    # --- one constraint set --------------------------------------------------------------------------
    def _single(self, question: str, parsed: ParsedQuestion, vector: Any, k: int) -> AskResult:
        constraints = parsed.constraints
        intent = parsed.intent
        allowed = self.store.papers_for(constraints) if constraints else None
        topics = parsed.topics if intent in (Intent.LIST, Intent.COUNT) else []
        if allowed and topics:
            texts = self.searcher.index.papers
            allowed = {pid for pid in allowed if all(t.paper.search(texts[pid].text) for t in topics)}
        fallback = bool(constraints) and not allowed
        queries = []
        if constraints:
            topic_patterns = {t.name: t.paper.pattern for t in topics}
            cypher, params = papers_query(constraints, parsed.metric_kinds, intent is Intent.COUNT, topic_patterns)
            queries.append(GraphQuery(cypher=cypher, params=params))
        if intent is Intent.SEMANTIC or fallback or allowed is None:
            ranked = self._semantic(question, vector, k, allowed if not fallback else None)
        else:
            limit = max(k, min(len(allowed), MAX_LIST)) if intent in (Intent.LIST, Intent.COUNT) else k
            ranked = self.searcher.rank(question, limit, vector=vector, allowed=allowed)
            ranked_ids = {pid for pid, *_ in ranked}
            # papers the rankers did not reach (no shared words, far vectors) still satisfy the graph
            ranked += [(pid, 0.0, None, None) for pid in sorted(allowed - ranked_ids)][: limit - len(ranked)]
        papers = [self._paper(pid, score, question, constraints, parsed.metric_kinds) for pid, score, *_ in ranked]
        matched = len(allowed) if allowed is not None else 0
        answer = self._answer(intent, constraints, matched, fallback, papers, parsed.metric_kinds, topics)
        return AskResult(
            question=question,
            intent=intent,
            answer=answer,
            entities=parsed.entities,
            metric_kinds=parsed.metric_kinds,
            constraints={
                **{t.value: v for t, v in constraints.items()},
                **({"topic": [t.name for t in topics]} if topics else {}),
            },
            matched=matched,
            fallback=fallback,
            graph_queries=queries,
            count=len(papers),
            papers=papers,
        )

    def _semantic(
        self, question: str, vector: Any, k: int, allowed: set[str] | None
    ) -> list[tuple[str, float, int | None, int | None]]:
        """Hybrid ranking; papers satisfying the question's entities are fused in as a third ranking."""
        k = min(k, SEMANTIC_K) if k else SEMANTIC_K
        base = self.searcher.rank(question, k * 3, vector=vector)
        if not allowed:
            return base[:k]
        constrained = self.searcher.rank(question, k * 3, vector=vector, allowed=allowed)
        fused = rrf([[pid for pid, *_ in base], [pid for pid, *_ in constrained]], k=self.searcher.rrf_k)
        return [(pid, score, None, None) for pid, score in fused[:k]]

    # --- comparisons ---------------------------------------------------------------------------------
    def _compare(self, question: str, parsed: ParsedQuestion, vector: Any, k: int) -> AskResult:
        """One constraint set per compared value; papers about both sides come first (direct comparisons)."""
        axis = _compare_axis(parsed.constraints)
        assert axis is not None  # parse_question only keeps COMPARE with an axis
        values = parsed.constraints[axis]
        sides: dict[str, set[str]] = {}
        queries: list[GraphQuery] = []
        for value in values:
            constraints = {**parsed.constraints, axis: [value]}
            sides[value] = self.store.papers_for(constraints)
            cypher, params = papers_query(constraints, parsed.metric_kinds, False)
            queries.append(GraphQuery(cypher=cypher, params=params))
        both = set.intersection(*sides.values()) if sides else set()
        groups = [("both", both)] + [(value, ids - both) for value, ids in sides.items()]
        per_group = max(3, k // len(groups))
        papers: list[AskPaper] = []
        for group, ids in groups:
            if not ids:
                continue
            constraints = {**parsed.constraints, axis: values if group == "both" else [group]}
            for pid, score, *_ in self.searcher.rank(question, per_group, vector=vector, allowed=ids):
                paper = self._paper(pid, score, question, constraints, parsed.metric_kinds)
                paper.group = group
                papers.append(paper)
        summaries = []
        for value, ids in sides.items():
            facts = [format_metric(m) for p in papers if p.group == value for m in p.metrics][:2]
            summary = f"{value}: {len(ids)} paper{'s' if len(ids) != 1 else ''}"
            summaries.append(summary + (f" (e.g. {'; '.join(facts)})" if facts else ""))
        answer = " vs. ".join(summaries)
        answer += f"; {len(both)} compare{'s' if len(both) == 1 else ''} them directly." if both else "."
        matched = len(set().union(*sides.values())) if sides else 0
        return AskResult(
            question=question,
            intent=Intent.COMPARE,
            answer=answer,
            entities=parsed.entities,
            metric_kinds=parsed.metric_kinds,
            constraints={t.value: v for t, v in parsed.constraints.items()},
            matched=matched,
            fallback=matched == 0,
            graph_queries=queries,
            count=len(papers),
            papers=papers,
        )

    # --- papers and answers --------------------------------------------------------------------------
    def _paper(
        self,
        pid: str,
        score: float,
        question: str,
        constraints: Mapping[EntityType, Sequence[str]],
        kinds: Sequence[str],
    ) -> AskPaper:
        record = self.store.paper(pid)
        paper = self.searcher.index.papers[pid]
        evidence: list[Evidence] = []
        metrics: list[MetricRecord] = []
        if record is not None:
            wanted = {(t.value, v.casefold()) for t, values in constraints.items() for v in values}
            for link in record.entities:
                keys = {
                    link.name.casefold(),
                    str(link.properties.get("family", "")).casefold(),
                    str(link.properties.get("type", "")).casefold(),
                }
                if any((link.type.value, key) in wanted for key in keys) and link.evidence:
                    evidence.append(Evidence(type=link.type.value, name=link.name, sentence=link.evidence))
            metrics = [m for m in record.metrics if m.kind in kinds] if kinds else []
            if not metrics:  # "what model FLOPs utilization ...": no kind for it, but the phrase is there
                words = _content_words(question)
                metrics = [m for m in record.metrics if words & _content_words(m.metric)]
            for m in metrics:
                if m.evidence and all(e.sentence != m.evidence for e in evidence):
                    evidence.append(Evidence(type="metric", name=format_metric(m), sentence=m.evidence))
        result = AskPaper(
            id=pid,
            title=paper.title,
            score=round(score, 6),
            snippet=snippet(paper, question),
            evidence=evidence,
            metrics=metrics,
        )
        result._subject = _subject(record) if record else f"“{paper.title}”"
        return result

    def _answer(
        self,
        intent: Intent,
        constraints: Mapping[EntityType, Sequence[str]],
        matched: int,
        fallback: bool,
        papers: Sequence[AskPaper],
        kinds: Sequence[str],
        topics: Sequence[Topic] = (),
    ) -> str:
        if fallback:
            return (
                f"No paper in the graph mentions {describe(constraints)}"
                + "".join(f" (about {t.name})" for t in topics)
                + "; "
                f"showing the {len(papers)} most similar papers instead."
            )
        if intent is Intent.SEMANTIC or not constraints:
            top = "; ".join(p.title for p in papers[:3])
            return f"The most relevant papers: {top}." if papers else "No papers found."
        what = describe(constraints) + "".join(f" (about {t.name})" for t in topics)
        noun = "paper" if matched == 1 else "papers"
        head = f"{matched} {noun} mention{'s' if matched == 1 else ''} {what}"
        facts = _facts(papers)
        if intent is Intent.COUNT:
            return head + "."
        if intent is Intent.FACT and facts:
            return "; ".join(facts[:3]) + "."
        return head + (": " + "; ".join(facts[:3]) + "." if facts else ".")


def _facts(papers: Iterable[AskPaper]) -> list[str]:
    """'TeLLMe reaches 25 tokens/s decoding throughput on FPGA', one per paper with metrics, best ranked first."""
    return [f"{p._subject} reaches " + ", ".join(format_metric(m) for m in p.metrics[:2]) for p in papers if p.metrics]


__all__ = ["AskResult", "Asker", "Intent", "parse_question"]
