"""What ``/ask`` returns: the answer, the papers with evidence, and the interpretation of the question."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from papergraph.graph.query import Tally, YearCount
from papergraph.models import EntityType, MetricRecord
from papergraph.query.plan import Confidence, Correction, Intent, Level, MatchKind, MetricAsk, Role


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


__all__ = [
    "AskEntity",
    "AskPaper",
    "AskResult",
    "Evidence",
    "GraphQuery",
    "Interpretation",
    "MetricValue",
    "RecognisedEntity",
]
