"""What ``/ask`` returns: the answer, the papers with evidence, and the interpretation of the question.

:func:`interpretation` writes how a question was read and answered (its plan, whether papers were ranked by
similarity, how close the closest abstract was) as the response's ``interpretation``, with the caveats that
lower its confidence in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pydantic import BaseModel, Field, PrivateAttr

from papergraph.graph.query import GroupBy, Tally, YearCount
from papergraph.models import EntityType, MetricRecord
from papergraph.query.answer import years
from papergraph.query.plan import (
    Confidence,
    Correction,
    EntityRef,
    Intent,
    Level,
    MatchKind,
    MetricAsk,
    QueryPlan,
    Role,
)

INTENT_UNSURE = 0.05  # the example bank's lead below which the intent is said to be uncertain


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
    year: int | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    metrics: list[MetricRecord] = Field(default_factory=list, description="Metrics of the kinds asked about.")
    group: str | None = Field(None, description="For comparisons: which side the paper belongs to ('both').")
    _subject: str = PrivateAttr("")  # what the answer text calls the paper: its proposed system, else its title


class GraphQuery(BaseModel):
    cypher: str
    params: dict[str, Any] = Field(default_factory=dict)


class RecognisedEntity(BaseModel):
    """An entity the question refers to, the words it came from, and what the answer did with it."""

    type: EntityType
    name: str = Field(description="As the graph spells it: an entity, a family, a vendor or a hardware type.")
    level: Level
    words: str = Field(description="The question's words it was recognised from.")
    match: MatchKind
    role: Role
    papers: int = Field(description="Papers in the graph it selects on its own.")
    reason: str = Field("", description="Why it only ranks, when it does.")


class Interpretation(BaseModel):
    """How the question was read: everything the answer depends on."""

    intent: Intent
    entities: list[RecognisedEntity] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list, description="Entities named that no paper mentions.")
    corrections: list[Correction] = Field(default_factory=list, description="Misspellings and acronyms resolved.")
    ignored: list[str] = Field(default_factory=list, description="Content words that matched nothing in the graph.")
    filters: list[str] = Field(default_factory=list, description="Every filter applied, in words.")
    metric: MetricAsk | None = None
    target: str | None = Field(None, description="What a top-N or co-occurrence answer counts.")
    limit: int | None = None
    topics: list[str] = Field(default_factory=list, description="Qualifiers matched in the papers' text.")
    similarity: bool = Field(False, description="Papers are ranked by similarity to the question.")
    top_similarity: float | None = Field(None, description="Cosine of the closest abstract, when computed.")
    weak: bool = Field(False, description="The closest papers are only loosely related.")
    confidence: Confidence = Field(
        Confidence.HIGH,
        description="high: every content word read and the graph answered; medium: words unused, a misspelling "
        "corrected, a name no paper has, or papers ranked by similarity; low: nothing in the graph matched, "
        "only weak matches, or refused.",
    )
    caveats: list[str] = Field(
        default_factory=list,
        description="Why the confidence is not high, in words (also said in the answer).",
        examples=[["words not used: robotics", "“quantizaton” read as quantization"]],
    )


class MetricValue(BaseModel):
    """The number a superlative answer names."""

    paper: str
    title: str
    credited_to: str
    value: float
    unit: str
    metric: str
    hardware: str | None = None


class AskResult(BaseModel):
    question: str
    intent: Intent
    answer: str
    interpretation: Interpretation
    entities: list[AskEntity] = Field(default_factory=list, description="Entities recognised in the question.")
    metric_kinds: list[str] = Field(default_factory=list, description="Metric kinds the question asks about.")
    constraints: dict[str, list[str]] = Field(default_factory=dict, description="Graph filters applied, by type.")
    matched: int = Field(0, description="Papers satisfying the constraints (all of them, before k).")
    more: int = Field(0, description="Matching papers left out of `papers` by k.")
    fallback: bool = Field(
        False, description="True when the graph matched nothing and papers are ranked by similarity."
    )
    ranking: list[Tally] = Field(
        default_factory=list, description="Top-N and co-occurrence answers: entities by papers."
    )
    trend: list[YearCount] = Field(default_factory=list, description="Trend answers: papers per year.")
    value: MetricValue | None = Field(None, description="Superlative answers: the best reported number.")
    graph_queries: list[GraphQuery] = Field(default_factory=list, description="The graph queries run, as Cypher.")
    count: int = Field(0, description="Papers returned.")
    papers: list[AskPaper] = Field(default_factory=list)
    took_ms: float = 0.0


class Answering(Protocol):
    """What the interpretation reads of one answer's run (``executor.Run``)."""

    plan: QueryPlan
    similarity: bool
    top_similarity: float | None
    weak: bool
    fallback: bool


def interpretation(run: Answering, papers_of: Callable[[EntityRef], int]) -> Interpretation:
    """How the question was read and answered; ``papers_of`` counts the papers a reference selects on its own."""
    plan = run.plan
    entities = [
        RecognisedEntity(
            type=e.type,
            name=e.name,
            level=e.level,
            words=e.words,
            match=e.match,
            role=g.role,
            papers=papers_of(e),
            reason=g.reason,
        )
        for g in plan.groups
        for e in g.entities
    ]
    notes = caveats(run)
    target = None
    if plan.target is not None:
        target = plan.target.type.value + ("" if plan.target.by is GroupBy.ENTITY else f" by {plan.target.by.value}")
    return Interpretation(
        intent=plan.intent,
        entities=entities,
        unknown=[e.name for e in plan.unknown],
        corrections=plan.corrections,
        ignored=plan.ignored,
        filters=filter_words(plan),
        metric=plan.metric if plan.metric.kinds or plan.metric.unit or plan.metric.phrase else None,
        target=target,
        limit=plan.limit,
        topics=plan.topics,
        similarity=run.similarity,
        top_similarity=run.top_similarity,
        weak=run.weak,
        confidence=confidence(run, notes),
        caveats=notes,
    )


def read_note(plan: QueryPlan) -> str:
    """What the answer text adds about the reading: words left unused and misspellings corrected."""
    if plan.intent is Intent.OUT_OF_SCOPE:
        return ""
    notes = [f"Read “{c.original}” as {c.corrected}." for c in plan.corrections if c.kind is MatchKind.CORRECTED]
    if plan.ignored:
        notes.append(f"Words not used: {', '.join(plan.ignored)}.")
    return " ".join(notes)


def caveats(run: Answering) -> list[str]:
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


def confidence(run: Answering, notes: Sequence[str]) -> Confidence:
    if run.plan.intent is Intent.OUT_OF_SCOPE or run.fallback or run.weak:
        return Confidence.LOW
    return Confidence.MEDIUM if notes else Confidence.HIGH


def constraints(plan: QueryPlan) -> dict[str, list[str]]:
    """The graph filters applied, by entity type (and the topics)."""
    out: dict[str, list[str]] = {}
    for e in plan.entities(Role.FILTER):
        out.setdefault(e.type.value, []).append(e.name)
    if plan.topics:
        out["topic"] = list(plan.topics)
    return out


def filter_words(plan: QueryPlan) -> list[str]:
    """Every filter applied, in words."""
    words = [
        f"{e.type.value} {e.level.value} = {e.name}"
        + (" (compared against: its own papers left out)" if g.baseline else "")
        for g in plan.groups
        if g.role is Role.FILTER
        for e in g.entities
    ]
    f = plan.filters
    if f.year_min is not None or f.year_max is not None:
        words.append(years(f.year_min, f.year_max))
    if f.author_words:
        words.append(f"author = {' or '.join(f.authors) or f.author_words}")
        words += [f"co-author = {c}" for c in f.coauthors]
    words += [f"topic '{t}' in the paper text" for t in plan.topics]
    words += [plan.phrase_shown(p) for p in [*plan.phrases, *plan.loose_phrases]]
    if plan.metric.unit:
        words.append(f"unit = {plan.metric.unit}")
    return words


__all__ = [
    "Answering",
    "AskEntity",
    "AskPaper",
    "AskResult",
    "Evidence",
    "GraphQuery",
    "Interpretation",
    "MetricValue",
    "RecognisedEntity",
    "caveats",
    "confidence",
    "constraints",
    "filter_words",
    "interpretation",
    "read_note",
]
